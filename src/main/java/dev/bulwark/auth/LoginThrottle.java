package dev.bulwark.auth;

import dev.bulwark.config.AuthConfig;
import dev.bulwark.http.ApiException;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-account brute-force brake, independent of any IP limit: after {@code threshold} failed logins for one
 * email within {@code window}, that account is locked for {@code baseDelay}, doubling with each further failure up to
 * {@code maxDelay}. A success clears it. Keyed by a hash of the email, so unknown emails brake the same way.
 * If Redis is unreachable the brake is skipped (the IP rate limits still apply).
 */
public final class LoginThrottle {
  private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

  /** KEYS: fails, lock. ARGV: windowMs, threshold, baseMs, maxMs. Returns the lock in ms (0 = not locked). */
  private static final String RECORD_FAILURE = """
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
      local threshold = tonumber(ARGV[2])
      if n < threshold then return 0 end
      local delay = tonumber(ARGV[3]) * (2 ^ math.min(n - threshold, 30))
      delay = math.min(delay, tonumber(ARGV[4]))
      redis.call('SET', KEYS[2], n, 'PX', math.floor(delay))
      if redis.call('PTTL', KEYS[1]) < delay then redis.call('PEXPIRE', KEYS[1], math.floor(delay)) end
      return math.floor(delay)""";

  private final Redis redis;
  private final AuthConfig config;
  private final long timeoutMs;

  public LoginThrottle(Redis redis, AuthConfig config, long timeoutMs) {
    this.redis = redis;
    this.config = config;
    this.timeoutMs = timeoutMs;
  }

  /** Fails with 429 {@code too_many_attempts} while the account is locked. */
  public Future<Void> check(String email) {
    return redis.send(Request.cmd(Command.PTTL).arg(key(email, "lock")))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .otherwise(err -> {
          log.warn("login throttle unavailable: {}", err.toString());
          return null;
        })
        .compose(r -> {
          long ms = r == null ? -1 : r.toLong();
          return ms > 0 ? Future.failedFuture(locked(ms)) : Future.succeededFuture();
        });
  }

  /** Counts a failure; returns the lock it started in ms, 0 when none. */
  public Future<Long> recordFailure(String email) {
    Request eval = Request.cmd(Command.EVAL).arg(RECORD_FAILURE).arg(2).arg(key(email, "fails")).arg(key(email, "lock"))
        .arg(config.lockoutWindow().toMillis()).arg(config.lockoutThreshold())
        .arg(config.lockoutBaseDelay().toMillis()).arg(config.lockoutMaxDelay().toMillis());
    return redis.send(eval).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(r -> r == null ? 0L : r.toLong())
        .otherwise(0L);
  }

  public Future<Void> reset(String email) {
    return redis.send(Request.cmd(Command.DEL).arg(key(email, "fails")).arg(key(email, "lock")))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  static ApiException locked(long ms) {
    return ApiException.tooManyRequests("too_many_attempts",
        "Too many failed sign-ins for this account; wait before trying again.", (ms + 999) / 1000);
  }

  private static String key(String email, String suffix) {
    return "bw:{acct:" + digest(email) + "}:" + suffix;
  }

  private static String digest(String email) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(email.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
