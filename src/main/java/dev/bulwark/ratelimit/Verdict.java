package dev.bulwark.ratelimit;

import dev.bulwark.ratelimit.RateLimitRules.AppliedLimit;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/** Collects the outcome of every limit of a request and writes the headers of the tightest. */
final class Verdict {
  private static final CharSequence POLICY = HttpHeaders.createOptimized("RateLimit-Policy");
  private static final CharSequence RATE_LIMIT = HttpHeaders.createOptimized("RateLimit");
  private static final CharSequence LIMIT = HttpHeaders.createOptimized("X-RateLimit-Limit");
  private static final CharSequence REMAINING =
      HttpHeaders.createOptimized("X-RateLimit-Remaining");
  private static final CharSequence RESET = HttpHeaders.createOptimized("X-RateLimit-Reset");

  private final List<AppliedLimit> limits = new ArrayList<>(4);
  private boolean addressAllowed = true;
  private boolean callerAllowed = true;
  private AppliedLimit tightest;
  private int tightestRemaining = Integer.MAX_VALUE;
  private long tightestWait;
  private AppliedLimit rejectedBy;
  private ScriptCalls.Group rejectedGroup;
  private long retryAfterMs;

  void add(
      ScriptCalls.Group group,
      AppliedLimit limit,
      boolean groupAllowed,
      int remaining,
      long waitMs) {
    limits.add(limit);
    if (!groupAllowed) {
      if (group.ofCaller()) {
        callerAllowed = false;
      } else {
        addressAllowed = false;
      }
      if (remaining == 0 && waitMs >= retryAfterMs) {
        retryAfterMs = waitMs;
        rejectedBy = limit;
        rejectedGroup = group;
      }
    }
    if (remaining < tightestRemaining
        || (remaining == tightestRemaining && waitMs > tightestWait)) {
      tightest = limit;
      tightestRemaining = remaining;
      tightestWait = waitMs;
    }
  }

  boolean isEmpty() {
    return limits.isEmpty();
  }

  /**
   * Whether the address's limits (and, with {@code withCaller}, the caller's too) admitted the
   * request.
   */
  boolean allowedFor(boolean withCaller) {
    return addressAllowed && (!withCaller || callerAllowed);
  }

  AppliedLimit rejectedBy() {
    return rejectedBy != null ? rejectedBy : tightest;
  }

  ScriptCalls.Group rejectedGroup() {
    return rejectedGroup;
  }

  long retryAfterSeconds() {
    return Math.max(1, (retryAfterMs + 999) / 1000);
  }

  private String policy() {
    if (limits.size() == 1) {
      return limits.get(0).policyItem();
    }
    StringBuilder policy = new StringBuilder(64);
    for (AppliedLimit l : limits) {
      if (policy.length() > 0) {
        policy.append(", ");
      }
      policy.append(l.policyItem());
    }
    return policy.toString();
  }

  void writeHeaders(MultiMap headers) {
    if (limits.isEmpty()) {
      return;
    }
    boolean allowed = allowedFor(true);
    AppliedLimit shown = allowed ? tightest : rejectedBy();
    int remaining = allowed ? tightestRemaining : 0;
    long resetSeconds = allowed ? Math.max(1, (tightestWait + 999) / 1000) : retryAfterSeconds();
    // written once per response, on headers no one else sets: add (no lookup to replace), with
    // names encoded once
    headers.add(POLICY, policy());
    headers.add(RATE_LIMIT, "\"" + shown.policy() + "\";r=" + remaining + ";t=" + resetSeconds);
    headers.add(LIMIT, shown.countArg());
    headers.add(REMAINING, Integer.toString(remaining));
    headers.add(RESET, Long.toString(resetSeconds));
  }
}
