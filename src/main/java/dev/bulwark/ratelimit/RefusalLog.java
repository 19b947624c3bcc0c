package dev.bulwark.ratelimit;

import io.vertx.ext.web.RoutingContext;

/**
 * Where the first refusal of a principal under a limit in each window is recorded (the audit
 * trail).
 */
@FunctionalInterface
public interface RefusalLog {
  /**
   * One refusal: the principal's tag, the user when the principal is one, the policy and its count.
   */
  record Refusal(String principal, String userId, String policy, int limit) {}

  void refused(RoutingContext ctx, Refusal refusal);
}
