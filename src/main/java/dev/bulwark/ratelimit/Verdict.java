package dev.bulwark.ratelimit;

import dev.bulwark.ratelimit.RateLimitRules.AppliedLimit;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;

/** Collects the outcome of every limit of a request and writes the headers of the tightest. */
final class Verdict {
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

  void writeHeaders(MultiMap headers) {
    if (limits.isEmpty()) {
      return;
    }
    boolean allowed = allowedFor(true);
    AppliedLimit shown = allowed ? tightest : rejectedBy();
    int remaining = allowed ? tightestRemaining : 0;
    long resetSeconds = allowed ? Math.max(1, (tightestWait + 999) / 1000) : retryAfterSeconds();
    StringBuilder policy = new StringBuilder();
    for (AppliedLimit l : limits) {
      if (policy.length() > 0) {
        policy.append(", ");
      }
      policy.append(l.policyItem());
    }
    headers.set("RateLimit-Policy", policy.toString());
    headers.set("RateLimit", "\"" + shown.policy() + "\";r=" + remaining + ";t=" + resetSeconds);
    headers.set("X-RateLimit-Limit", shown.countArg());
    headers.set("X-RateLimit-Remaining", Integer.toString(remaining));
    headers.set("X-RateLimit-Reset", Long.toString(resetSeconds));
  }
}
