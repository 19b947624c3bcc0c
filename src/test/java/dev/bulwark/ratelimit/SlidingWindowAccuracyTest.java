package dev.bulwark.ratelimit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.ratelimit.LocalWindows.Outcome;
import dev.bulwark.ratelimit.RateLimitRules.AppliedLimit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sliding-window counter against an exact sliding log on bursty traces: how often the two
 * decide differently, and how far the counter can overshoot the limit within a true sliding window.
 * The counter's bound is 2× the limit (a full previous window whose requests all fall at its end,
 * plus a full current one); the figures printed here are the ones reported for the limiter.
 */
class SlidingWindowAccuracyTest {
  private static final long WINDOW = 60_000;

  @Test
  void theCounterStaysCloseToAnExactLogOnBurstyTraffic() {
    for (int limit : new int[] {10, 100}) {
      Result r = compare(burstyTrace(new Random(42), limit, 200 * WINDOW), limit);
      System.out.printf(
          "limit %d/1m over %d requests: decisions differ %.2f%% (counter admits %d more, %d fewer); "
              + "max admitted in any true 60 s window %d (%.2f× limit); admitted %d vs exact %d%n",
          limit,
          r.requests,
          100.0 * (r.moreAdmitted + r.fewerAdmitted) / r.requests,
          r.moreAdmitted,
          r.fewerAdmitted,
          r.maxInSlidingWindow,
          r.maxInSlidingWindow / (double) limit,
          r.counterAdmitted,
          r.exactAdmitted);
      assertTrue(
          r.maxInSlidingWindow <= 2 * limit, "never more than twice the limit in a true window");
      assertTrue(r.counterAdmitted > 0 && r.exactAdmitted > 0);
    }
  }

  /**
   * Quiet stretches, steady trickles and bursts of 1–3× the limit arriving within a second or two.
   */
  static long[] burstyTrace(Random random, int limit, long durationMs) {
    List<Long> times = new ArrayList<>();
    long t = WINDOW;
    while (t < durationMs) {
      double kind = random.nextDouble();
      if (kind < 0.3) {
        int burst = limit + random.nextInt(2 * limit + 1);
        long spread = 500 + random.nextInt(1_500);
        for (int i = 0; i < burst; i++) {
          times.add(t + random.nextLong(spread));
        }
        t += spread;
      } else if (kind < 0.7) {
        long gap = WINDOW / Math.max(1, limit / 2);
        times.add(t);
        t += gap / 2 + random.nextLong(gap);
      } else {
        t += random.nextLong(WINDOW);
      }
    }
    return times.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  record Result(
      int requests,
      int counterAdmitted,
      int exactAdmitted,
      int moreAdmitted,
      int fewerAdmitted,
      int maxInSlidingWindow) {}

  static Result compare(long[] trace, int limit) {
    LocalWindows counter = new LocalWindows(1);
    List<AppliedLimit> limits = SlidingWindowTest.limits(limit + "/1m");
    Outcome[] out = new Outcome[1];
    ArrayDeque<Long> exactLog = new ArrayDeque<>();
    ArrayDeque<Long> counterLog = new ArrayDeque<>();
    int counterAdmitted = 0;
    int exactAdmitted = 0;
    int more = 0;
    int fewer = 0;
    int max = 0;
    for (long now : trace) {
      while (!exactLog.isEmpty() && exactLog.peekFirst() <= now - WINDOW) {
        exactLog.pollFirst();
      }
      boolean exact = exactLog.size() < limit;
      if (exact) {
        exactLog.addLast(now);
        exactAdmitted++;
      }
      boolean byCounter = counter.decide("{ip:trace}", limits, now, out);
      while (!counterLog.isEmpty() && counterLog.peekFirst() <= now - WINDOW) {
        counterLog.pollFirst();
      }
      if (byCounter) {
        counterLog.addLast(now);
        counterAdmitted++;
        max = Math.max(max, counterLog.size());
      }
      if (byCounter && !exact) {
        more++;
      } else if (!byCounter && exact) {
        fewer++;
      }
    }
    return new Result(trace.length, counterAdmitted, exactAdmitted, more, fewer, max);
  }
}
