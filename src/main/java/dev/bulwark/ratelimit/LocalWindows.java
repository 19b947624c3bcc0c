package dev.bulwark.ratelimit;

import dev.bulwark.ratelimit.RateLimitRules.AppliedLimit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code failMode: local} fallback: the same sliding windows as the Redis script, kept in this process only.
 * Each principal's windows are decided under its own lock, so a request is counted against all of its limits or none.
 * Bounded: idle principals are swept, and past {@code maxPrincipals} new ones are decided without being remembered.
 */
final class LocalWindows {
  private final Map<String, Principal> principals = new ConcurrentHashMap<>();
  private final int maxPrincipals;

  LocalWindows(int maxPrincipals) {
    this.maxPrincipals = maxPrincipals;
  }

  /** One limit's outcome: whole requests left and how long until the count changes (or, if full, until one fits). */
  record Outcome(int remaining, long waitMs) {
  }

  /** Decides one principal's part of a request; fills {@code out} in the order of {@code limits}. */
  boolean decide(String principal, List<AppliedLimit> limits, long nowMs, Outcome[] out) {
    Principal p = principals.get(principal);
    if (p == null) {
      p = principals.size() < maxPrincipals ? principals.computeIfAbsent(principal, k -> new Principal()) : new Principal();
    }
    return p.decide(limits, nowMs, out);
  }

  /** Drops principals untouched for longer than {@code idleMs}; their windows would read as empty anyway. */
  void sweep(long nowMs, long idleMs) {
    principals.values().removeIf(p -> p.lastSeenMs < nowMs - idleMs);
  }

  int size() {
    return principals.size();
  }

  private static final class Principal {
    /** Per limit key: {window index, count in that window, count in the window before}. */
    private final Map<String, long[]> windows = new HashMap<>();
    private volatile long lastSeenMs;

    synchronized boolean decide(List<AppliedLimit> limits, long nowMs, Outcome[] out) {
      lastSeenMs = nowMs;
      boolean allowed = true;
      double[] estimates = new double[limits.size()];
      for (int i = 0; i < limits.size(); i++) {
        AppliedLimit limit = limits.get(i);
        long[] w = roll(windows.computeIfAbsent(limit.keySuffix(), k -> new long[3]), nowMs, limit.windowMs());
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
          out[i] = new Outcome(0, SlidingWindow.waitMs(w[2], w[1], limit.count(), elapsed, limit.windowMs()));
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
