package dev.bulwark.ratelimit;

import dev.bulwark.ratelimit.RateLimitRules.AppliedLimit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code failMode: local} fallback: the same sliding windows as the Redis script, kept in this
 * process only. Bounded by least-recent use: at most {@code maxPrincipals} principals are
 * remembered, and a new one pushes out the one that has gone longest without a request. A flood of
 * fresh addresses therefore costs a fixed amount of memory and cannot make the limiter forget a
 * principal that keeps sending — only one that has gone quiet. Principals are spread over segments,
 * each with its own lock and an equal share of the bound; each principal's windows are decided
 * under that lock, so a request is counted against all of its limits or none.
 */
final class LocalWindows {
  private static final int SEGMENTS = 16;

  private final Segment[] segments = new Segment[SEGMENTS];

  LocalWindows(int maxPrincipals) {
    int perSegment = Math.max(1, maxPrincipals / SEGMENTS);
    for (int i = 0; i < SEGMENTS; i++) {
      segments[i] = new Segment(perSegment);
    }
  }

  /**
   * One limit's outcome: whole requests left and how long until the count changes (or, if full,
   * until one fits).
   */
  record Outcome(int remaining, long waitMs) {}

  /**
   * Decides one principal's part of a request; fills {@code out} in the order of {@code limits}.
   */
  boolean decide(String principal, List<AppliedLimit> limits, long nowMs, Outcome[] out) {
    int h = principal.hashCode();
    Segment segment = segments[(h ^ (h >>> 16)) & (SEGMENTS - 1)];
    synchronized (segment) {
      return segment
          .principals
          .computeIfAbsent(principal, k -> new Principal())
          .decide(limits, nowMs, out);
    }
  }

  /** Principals remembered now; never more than the bound. */
  int size() {
    int total = 0;
    for (Segment s : segments) {
      synchronized (s) {
        total += s.principals.size();
      }
    }
    return total;
  }

  private static final class Segment {
    /**
     * Access-ordered: the eldest entry is the least recently used, and goes when the segment is
     * full.
     */
    private final LinkedHashMap<String, Principal> principals;

    Segment(int capacity) {
      this.principals =
          new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Principal> eldest) {
              return size() > capacity;
            }
          };
    }
  }

  private static final class Principal {
    /** Per limit key: {window index, count in that window, count in the window before}. */
    private final Map<String, long[]> windows = new HashMap<>();

    boolean decide(List<AppliedLimit> limits, long nowMs, Outcome[] out) {
      boolean allowed = true;
      double[] estimates = new double[limits.size()];
      for (int i = 0; i < limits.size(); i++) {
        AppliedLimit limit = limits.get(i);
        long[] w =
            roll(
                windows.computeIfAbsent(limit.keySuffix(), k -> new long[3]),
                nowMs,
                limit.windowMs());
        long elapsed = nowMs - w[0] * limit.windowMs();
        estimates[i] = SlidingWindow.estimate(w[2], w[1], elapsed, limit.windowMs());
        allowed &= SlidingWindow.allows(estimates[i], limit.count());
      }
      for (int i = 0; i < limits.size(); i++) {
        AppliedLimit limit = limits.get(i);
        long[] w = windows.get(limit.keySuffix());
        long elapsed = nowMs - w[0] * limit.windowMs();
        long untilNext = limit.windowMs() - elapsed;
        if (allowed) {
          w[1]++;
          out[i] = new Outcome(SlidingWindow.remaining(estimates[i] + 1, limit.count()), untilNext);
        } else if (!SlidingWindow.allows(estimates[i], limit.count())) {
          out[i] =
              new Outcome(
                  0, SlidingWindow.waitMs(w[2], w[1], limit.count(), elapsed, limit.windowMs()));
        } else {
          out[i] = new Outcome(SlidingWindow.remaining(estimates[i], limit.count()), untilNext);
        }
      }
      return allowed;
    }

    /** Moves a window record to the fixed window of {@code nowMs}. */
    private static long[] roll(long[] w, long nowMs, long windowMs) {
      long index = SlidingWindow.index(nowMs, windowMs);
      if (w[0] != index) {
        w[2] = w[0] == index - 1 ? w[1] : 0;
        w[1] = 0;
        w[0] = index;
      }
      return w;
    }
  }
}
