package dev.bulwark.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.RateLimitConfig;
import dev.bulwark.ratelimit.LocalWindows.Outcome;
import dev.bulwark.ratelimit.RateLimitRules.AppliedLimit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sliding-window arithmetic at the edges of windows, and the in-memory windows built on it. */
class SlidingWindowTest {
  private static final long MINUTE = 60_000;

  @Test
  void estimateWeighsThePreviousWindowByItsRemainingOverlap() {
    assertEquals(
        10.0,
        SlidingWindow.estimate(10, 0, 0, MINUTE),
        1e-9,
        "at the first instant the whole previous window counts");
    assertEquals(
        5.0 + 3, SlidingWindow.estimate(10, 3, 30_000, MINUTE), 1e-9, "half-way: half of it");
    assertEquals(
        3.0 + 10.0 / 60_000,
        SlidingWindow.estimate(10, 3, MINUTE - 1, MINUTE),
        1e-12,
        "last millisecond");
    assertEquals(0.0, SlidingWindow.estimate(0, 0, 12_345, MINUTE), 0);
  }

  @Test
  void aRequestFitsOnlyWhileTheEstimatePlusOneStaysWithinTheLimit() {
    assertTrue(SlidingWindow.allows(4.0, 5));
    assertFalse(SlidingWindow.allows(4.0001, 5));
    assertFalse(SlidingWindow.allows(5.0, 5));
    assertTrue(SlidingWindow.allows(0.0, 1));
  }

  @Test
  void remainingIsTheWholeRequestsLeft() {
    assertEquals(0, SlidingWindow.remaining(5.0, 5));
    assertEquals(0, SlidingWindow.remaining(4.5, 5));
    assertEquals(1, SlidingWindow.remaining(4.0, 5));
    assertEquals(0, SlidingWindow.remaining(7.0, 5), "never negative");
  }

  @Test
  void waitWithinTheWindowIsWhenThePreviousWindowHasFadedEnough() {
    // limit 5, previous 10, current 0, 30 s in: estimate 5 → full; fits when 10 * (60 - e) / 60 ≤ 4
    // → e ≥ 36 s
    assertEquals(6_000, SlidingWindow.waitMs(10, 0, 5, 30_000, MINUTE));
    // just before that point, 1 ms is left; never 0 for a full window
    assertEquals(1, SlidingWindow.waitMs(10, 0, 5, 35_999, MINUTE));
  }

  @Test
  void waitPastTheWindowWhenTheCurrentWindowAloneIsFull() {
    // limit 5, current 5 at 50 s: the next window starts in 10 s, where 5 * (60 - e) / 60 ≤ 4 → e ≥
    // 12 s
    assertEquals(22_000, SlidingWindow.waitMs(0, 5, 5, 50_000, MINUTE));
    // limit 1: the current request must fade out entirely → the end of the next window
    assertEquals(MINUTE + 1, SlidingWindow.waitMs(0, 1, 1, MINUTE - 1, MINUTE));
  }

  @Test
  void windowIndexesAreFloorDivisions() {
    assertEquals(0, SlidingWindow.index(MINUTE - 1, MINUTE));
    assertEquals(1, SlidingWindow.index(MINUTE, MINUTE));
    assertEquals(-1, SlidingWindow.index(-1, MINUTE));
  }

  @Test
  void localWindowsAllowExactlyTheLimitThenSlide() {
    LocalWindows windows = new LocalWindows(10);
    List<AppliedLimit> limits = limits("3/1m");
    Outcome[] out = new Outcome[1];
    long t0 = 10 * MINUTE;
    for (int i = 0; i < 3; i++) {
      assertTrue(windows.decide("{ip:a}", limits, t0 + i, out), "request " + (i + 1));
      assertEquals(2 - i, out[0].remaining());
    }
    assertFalse(windows.decide("{ip:a}", limits, t0 + 3, out), "the fourth");
    assertEquals(0, out[0].remaining());
    assertTrue(
        windows.decide("{ip:b}", limits, t0 + 3, out), "another principal has its own budget");
    // next window, 40 s in: the previous 3 weigh 3 * 20/60 = 1 → two more fit, then the third is
    // refused
    assertTrue(windows.decide("{ip:a}", limits, t0 + MINUTE + 40_000, out));
    assertTrue(windows.decide("{ip:a}", limits, t0 + MINUTE + 40_000, out));
    assertFalse(windows.decide("{ip:a}", limits, t0 + MINUTE + 40_000, out));
    // two windows later nothing is left of it
    assertTrue(windows.decide("{ip:a}", limits, t0 + 3 * MINUTE, out));
    assertEquals(2, out[0].remaining());
  }

  @Test
  void aRefusedRequestIsCountedAgainstNoneOfItsLimits() {
    LocalWindows windows = new LocalWindows(10);
    List<AppliedLimit> limits = limits("100/1m", "2/1h");
    Outcome[] out = new Outcome[2];
    long t0 = 5 * 3_600_000L;
    assertTrue(windows.decide("{u:x}", limits, t0, out));
    assertTrue(windows.decide("{u:x}", limits, t0 + 1, out));
    assertEquals(98, out[0].remaining());
    for (int i = 0; i < 5; i++) {
      assertFalse(windows.decide("{u:x}", limits, t0 + 2 + i, out));
    }
    assertEquals(98, out[0].remaining(), "the per-minute budget did not pay for refused requests");
    assertEquals(0, out[1].remaining());
    assertTrue(
        out[1].waitMs() > 3_000_000, "the hourly limit decides the wait: " + out[1].waitMs());
  }

  @Test
  void aFloodOfNewPrincipalsIsBoundedAndCannotHideARepeatOffender() {
    LocalWindows windows = new LocalWindows(RateLimitGate.MAX_LOCAL_PRINCIPALS);
    List<AppliedLimit> limit = limits("5/1m");
    Outcome[] out = new Outcome[1];
    long now = 1_000;
    String early = "{ip:2001:db8:ffff:1::/64}";
    for (int i = 0; i < 5; i++) {
      assertTrue(windows.decide(early, limit, now, out));
    }
    String late = "{ip:2001:db8:ffff:2::/64}";
    for (int i = 0; i < 200_000; i++) {
      windows.decide(
          "{ip:2001:db8:"
              + Integer.toHexString(i >>> 16)
              + ":"
              + Integer.toHexString(i & 0xffff)
              + "::/64}",
          limit,
          now,
          out);
      if (i % 1000 == 0) {
        assertFalse(
            windows.decide(early, limit, now, out),
            "a principal that keeps sending stays limited: " + i);
      }
    }
    assertTrue(
        windows.size() <= RateLimitGate.MAX_LOCAL_PRINCIPALS,
        "memory stays bounded: " + windows.size());
    for (int i = 0; i < 5; i++) {
      assertTrue(
          windows.decide(late, limit, now, out),
          "request " + i + " of a principal first seen after the flood");
    }
    assertFalse(
        windows.decide(late, limit, now, out),
        "a principal first seen after the flood is limited too");
    assertTrue(windows.size() <= RateLimitGate.MAX_LOCAL_PRINCIPALS);
  }

  static List<AppliedLimit> limits(String... specs) {
    List<RateLimitConfig.Limit> parsed =
        java.util.Arrays.stream(specs).map(RateLimitConfig::limit).toList();
    RateLimitRules rules =
        new RateLimitRules(
            List.of(new RateLimitConfig.Rule("r", null, "/**", RateLimitConfig.Key.IP, parsed)));
    return rules
        .select(io.vertx.core.http.HttpMethod.GET, "/x", RateLimitRules.Phase.ALL, false, false)
        .byIp();
  }
}
