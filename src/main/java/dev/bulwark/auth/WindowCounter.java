package dev.bulwark.auth;

import dev.bulwark.core.Failure;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.concurrent.TimeUnit;

/**
 * A fixed-window counter per key in Redis: the abuse limits of phone sign-in (per client address,
 * per number). While Redis is unreachable the codes themselves are unavailable, so these fail with
 * them (503).
 */
final class WindowCounter {
  /** KEYS[1]: the counter. ARGV: windowMs. Returns {count, ms left in the window}. */
  private static final String COUNT =
      """
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
      return {n, redis.call('PTTL', KEYS[1])}""";

  private final Redis redis;
  private final long timeoutMs;

  WindowCounter(Redis redis, long timeoutMs) {
    this.redis = redis;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Counts one hit; fails 429 {@code too_many_requests} (with Retry-After) beyond {@code limit}.
   */
  Future<Void> hit(String key, int limit, long windowMs) {
    return redis
        .send(Request.cmd(Command.EVAL).arg(COUNT).arg(1).arg(key).arg(windowMs))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(
            err ->
                Future.failedFuture(
                    Failure.unavailable(
                        "codes_unavailable",
                        "One-time codes are unavailable right now; try again.",
                        5)))
        .compose(
            r ->
                r.get(0).toLong() <= limit
                    ? Future.<Void>succeededFuture()
                    : Future.failedFuture(
                        Failure.tooManyRequests(
                            "too_many_requests",
                            "Too many requests; wait before trying again.",
                            Math.max(1, (r.get(1).toLong() + 999) / 1000))));
  }
}
