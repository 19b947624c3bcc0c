package dev.bulwark.auth;

import dev.bulwark.config.IdentityConfig;
import dev.bulwark.core.Failure;
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
 * How many emails one address, and one client address, may cause per window (password-reset and
 * verification requests): {@code auth.emailLimits}. Counted whether or not the address has an
 * account, so the limit says nothing about who does. A fixed window per key; while Redis is
 * unreachable the quota is skipped (the IP rate limits still apply).
 */
public final class EmailQuota {
  private static final Logger log = LoggerFactory.getLogger(EmailQuota.class);

  /** KEYS[1]: the counter. ARGV: windowMs. Returns {count, ms left in the window}. */
  private static final String COUNT =
      """
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
      return {n, redis.call('PTTL', KEYS[1])}""";

  private final Redis redis;
  private final IdentityConfig config;
  private final long timeoutMs;

  public EmailQuota(Redis redis, IdentityConfig config, long timeoutMs) {
    this.redis = redis;
    this.config = config;
    this.timeoutMs = timeoutMs;
  }

  /** Counts one email for {@code email} from {@code ip}; fails 429 when either quota is spent. */
  public Future<Void> take(String purpose, String email, String ip) {
    Future<Long> byAddress =
        count("bw:{mail:" + digest(email) + "}:" + purpose, config.emailsPerAddress());
    Future<Long> byIp =
        count("bw:{ip:" + LoginThrottle.addressKey(ip) + "}:mail:" + purpose, config.emailsPerIp());
    return Future.all(byAddress, byIp)
        .compose(
            all -> {
              long wait = Math.max(byAddress.result(), byIp.result());
              return wait == 0
                  ? Future.<Void>succeededFuture()
                  : Future.failedFuture(
                      Failure.tooManyRequests(
                          "too_many_requests",
                          "Too many emails requested for this address; try again later.",
                          (wait + 999) / 1000));
            });
  }

  /** 0 when within the limit, else the ms until the window ends. */
  private Future<Long> count(String key, int limit) {
    return redis
        .send(
            Request.cmd(Command.EVAL)
                .arg(COUNT)
                .arg(1)
                .arg(key)
                .arg(config.emailWindow().toMillis()))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(r -> r.get(0).toLong() > limit ? Math.max(1, r.get(1).toLong()) : 0L)
        .otherwise(
            err -> {
              log.warn("email quota unavailable: {}", err.toString());
              return 0L;
            });
  }

  private static String digest(String email) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(email.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
