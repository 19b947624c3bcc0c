package dev.bulwark.ratelimit;

/**
 * The sliding-window counter: the count of the current fixed window plus the previous window's
 * count weighted by how much of it still overlaps the sliding window. {@code sliding-window.lua}
 * does the same arithmetic inside Redis; the in-memory fallback uses this class. All times in
 * milliseconds.
 */
public final class SlidingWindow {
  private SlidingWindow() {}

  /** The fixed window a moment falls in. */
  public static long index(long nowMs, long windowMs) {
    return Math.floorDiv(nowMs, windowMs);
  }

  /** Requests counted in the sliding window ending now. */
  public static double estimate(long previous, long current, long elapsedMs, long windowMs) {
    return previous * (double) (windowMs - elapsedMs) / windowMs + current;
  }

  /** Whether one more request fits. */
  public static boolean allows(double estimate, int limit) {
    return estimate + 1 <= limit;
  }

  /** Whole requests left after this one was counted. */
  public static int remaining(double estimateAfter, int limit) {
    return (int) Math.max(0, Math.floor(limit - estimateAfter));
  }

  /**
   * How long until one more request would fit, assuming nothing else is counted meanwhile: within
   * this window as the previous window's weight fades, or else in the next window, where this
   * window's count becomes the faded one.
   */
  public static long waitMs(long previous, long current, int limit, long elapsedMs, long windowMs) {
    double room = limit - 1;
    if (current <= room) {
      if (previous <= 0) {
        return 0;
      }
      double fitsAt = windowMs - (room - current) * windowMs / previous;
      return Math.max(1, (long) Math.ceil(fitsAt - elapsedMs));
    }
    double fitsAtNext = windowMs * (1 - room / current);
    return (long) Math.ceil(windowMs - elapsedMs + fitsAtNext);
  }
}
