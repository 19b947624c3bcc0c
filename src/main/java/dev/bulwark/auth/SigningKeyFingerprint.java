package dev.bulwark.auth;

import dev.bulwark.config.JwtConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instances that sign with different keys reject each other's tokens; this finds out at start-up.
 * Each instance keeps its signing key's fingerprint in Redis (an HMAC of a constant under the key,
 * never the key) under an entry of its own, with an expiry it renews while it runs, and removes its
 * entry on a clean stop. An instance whose fingerprint differs from a live peer's is refused in
 * staging and production (warned in development); one already running that meets such a peer logs
 * an error. Redis refusing the configured credentials is reported here too: a clear refusal at
 * start-up in staging and production, rather than every request in the fail mode.
 */
public final class SigningKeyFingerprint {
  private static final Logger log = LoggerFactory.getLogger(SigningKeyFingerprint.class);

  /**
   * A hash: {@code <fingerprint>/<instance>} → until when (ms, Redis's clock) that instance said it
   * is alive.
   */
  static final String KEY = "bw:signing-keys";

  static final long TTL_MS = 90_000;
  private static final long RENEW_MS = TTL_MS / 3;

  /**
   * Drops expired entries, returns the live fingerprints other than ours (ARGV[1]), and registers
   * this instance (ARGV[4]) unless others are live and ARGV[3] is 0.
   */
  private static final String CHECK =
      """
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local others = {}
      local all = redis.call('HGETALL', KEYS[1])
      for i = 1, #all, 2 do
        if tonumber(all[i + 1]) <= now then
          redis.call('HDEL', KEYS[1], all[i])
        elseif string.sub(all[i], 1, #ARGV[1]) ~= ARGV[1] then
          others[#others + 1] = string.sub(all[i], 1, #ARGV[1])
        end
      end
      if #others == 0 or ARGV[3] == '1' then
        redis.call('HSET', KEYS[1], ARGV[4], now + tonumber(ARGV[2]))
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
      end
      return others""";

  private final Redis redis;
  private final String fingerprint;
  private final String field;
  private final boolean strict;
  private final long timeoutMs;
  private volatile boolean mismatchLogged;

  public SigningKeyFingerprint(Redis redis, JwtConfig jwt, boolean strict, long timeoutMs) {
    this.redis = redis;
    this.fingerprint = of(jwt);
    this.field = fingerprint + "/" + UUID.randomUUID();
    this.strict = strict;
    this.timeoutMs = timeoutMs;
  }

  /** HMAC-SHA-256 under the secret of a constant naming the algorithm and signing key id. */
  static String of(JwtConfig jwt) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(jwt.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      String constant =
          "bulwark signing-key fingerprint v1\n"
              + jwt.algorithm()
              + "\n"
              + (jwt.algorithm().equals("HS256") || jwt.keyId() == null ? "" : jwt.keyId());
      byte[] digest = mac.doFinal(constant.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * At start-up: fails (strict profiles) on a peer with another key or credentials Redis refuses;
   * otherwise warns and succeeds, Redis unreachable included (the fail modes cover it).
   */
  public Future<Void> checkAtStart() {
    return run(false)
        .transform(
            ar -> {
              if (ar.failed()) {
                String reason = ar.cause().getMessage() == null ? "" : ar.cause().getMessage();
                if (refusedCredentials(reason)) {
                  String message =
                      "Redis refused the credentials of REDIS_URL ("
                          + firstLine(reason)
                          + "); check the user and password (ACL) it names";
                  return refuseOrWarn(message);
                }
                log.warn(
                    "signing-key fingerprint not checked: Redis unavailable ({}); the fail modes"
                        + " apply until it is",
                    firstLine(reason));
                return Future.succeededFuture();
              }
              List<String> others = ar.result();
              if (others.isEmpty()) {
                return Future.succeededFuture();
              }
              return refuseOrWarn(
                  "this instance's signing key differs from a running peer's (fingerprint "
                      + fingerprint
                      + ", peers "
                      + String.join(", ", others)
                      + "): tokens one mints fail on the other. Give every instance the same"
                      + " JWT_SECRET_KEY (and keys), or stop the old ones first");
            });
  }

  private Future<Void> refuseOrWarn(String message) {
    if (strict) {
      return Future.failedFuture(new IllegalStateException(message));
    }
    log.warn("{} (refused outside development)", message);
    return Future.succeededFuture();
  }

  /** Renews this instance's fingerprint until the returned timer is cancelled. */
  public long renewEvery(Vertx vertx) {
    return vertx.setPeriodic(
        RENEW_MS,
        id ->
            run(true)
                .onSuccess(
                    others -> {
                      if (!others.isEmpty() && !mismatchLogged) {
                        mismatchLogged = true;
                        log.error(
                            "an instance with another signing key is running beside this one"
                                + " (fingerprints {}, ours {}): tokens minted by one fail on the"
                                + " other",
                            others,
                            fingerprint);
                      }
                    }));
  }

  /** On a clean stop: this instance no longer vouches for its key. */
  public Future<Void> withdraw() {
    return redis
        .send(Request.cmd(Command.HDEL).arg(KEY).arg(field))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private Future<List<String>> run(boolean registerAnyway) {
    return redis
        .send(
            Request.cmd(Command.EVAL)
                .arg(CHECK)
                .arg(1)
                .arg(KEY)
                .arg(fingerprint)
                .arg(TTL_MS)
                .arg(registerAnyway ? "1" : "0")
                .arg(field))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(
            reply -> {
              List<String> others = new ArrayList<>();
              if (reply != null) {
                for (Response r : reply) {
                  others.add(r.toString());
                }
              }
              return others;
            });
  }

  static boolean refusedCredentials(String reason) {
    String r = reason.toUpperCase(Locale.ROOT);
    return r.contains("WRONGPASS")
        || r.contains("NOAUTH")
        || r.contains("NOPERM")
        || r.contains("INVALID PASSWORD")
        || r.contains("INVALID USERNAME-PASSWORD");
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
