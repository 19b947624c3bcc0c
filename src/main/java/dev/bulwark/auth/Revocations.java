package dev.bulwark.auth;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.http.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Immediate revocation of access tokens, kept in Redis until the tokens would have expired anyway. All keys of one
 * user share the hash tag {@code {u:<id>}}, so one call reads them on Redis Cluster too:
 * <ul>
 *   <li>{@code bw:{u:<id>}:nbf} — epoch seconds; tokens issued before it are revoked (logout-all, password change)</li>
 *   <li>{@code bw:{u:<id>}:sid:<sid>} — the session ended; its tokens are revoked (session revoked, refresh reuse)</li>
 *   <li>{@code bw:{u:<id>}:jti:<jti>} — this token was logged out</li>
 * </ul>
 */
public final class Revocations {
  private static final Logger log = LoggerFactory.getLogger(Revocations.class);
  private static final ApiException REVOKED =
      ApiException.unauthorized("token_revoked", "The access token has been revoked; sign in again.");

  private final Redis redis;
  private final long timeoutMs;
  private final long markerTtlSeconds;
  private final AtomicBoolean redisDown = new AtomicBoolean();

  public Revocations(Redis redis, BulwarkConfig config) {
    this.redis = redis;
    this.timeoutMs = config.redis().commandTimeout().toMillis();
    this.markerTtlSeconds = config.jwt().accessTokenTtl().toSeconds() + config.jwt().leeway().toSeconds() + 1;
  }

  static String prefix(UUID userId) {
    return "bw:{u:" + userId + "}:";
  }

  /** The three revocation keys of a request's principal: not-before, session, token — in that order. */
  public static List<String> keys(Principal p) {
    String prefix = prefix(p.userId());
    return List.of(prefix + "nbf", prefix + "sid:" + p.sessionId(), prefix + "jti:" + p.jti());
  }

  /** Given the values of {@link #keys}, the 401 to fail with, or null when the token stands. */
  public static ApiException verdict(Principal p, String nbf, String sid, String jti) {
    if (sid != null || jti != null) {
      return REVOKED;
    }
    if (nbf != null) {
      try {
        if (p.issuedAt() < Long.parseLong(nbf)) {
          return REVOKED;
        }
      } catch (NumberFormatException e) {
        return REVOKED;
      }
    }
    return null;
  }

  /**
   * The gate used when rate limiting is off: one MGET per authenticated request. While Redis is unreachable it lets
   * requests through (access tokens live minutes; refusing every request would turn a Redis outage into a full one)
   * and says so once per outage.
   */
  public Handler<RoutingContext> gate() {
    return ctx -> {
      Principal p = Principal.orNull(ctx);
      if (p == null) {
        ctx.next();
        return;
      }
      List<String> keys = keys(p);
      Request mget = Request.cmd(Command.MGET).arg(keys.get(0)).arg(keys.get(1)).arg(keys.get(2));
      redis.send(mget).timeout(timeoutMs, TimeUnit.MILLISECONDS).onComplete(ar -> {
        if (ar.failed()) {
          unreachable(ar.cause());
          ctx.next();
          return;
        }
        reachable();
        Response r = ar.result();
        ApiException verdict = verdict(p, str(r.get(0)), str(r.get(1)), str(r.get(2)));
        if (verdict != null) {
          ctx.fail(verdict);
        } else {
          ctx.next();
        }
      });
    };
  }

  /** Logout: this one token stops working at once. */
  public Future<Void> revokeToken(Principal p) {
    long ttl = Math.max(1, p.expiresAt() - AccessTokens.nowSeconds() + markerTtlSeconds);
    return set(prefix(p.userId()) + "jti:" + p.jti(), "1", ttl);
  }

  /** Session end: every access token of that session stops working at once. */
  public Future<Void> revokeSession(UUID userId, UUID sessionId) {
    return set(prefix(userId) + "sid:" + sessionId, "1", markerTtlSeconds);
  }

  /**
   * Logout-all / password change: every access token issued up to now stops working. The stamp is the next second,
   * so tokens minted earlier in this second are covered; new tokens are minted with {@code iat} at the stamp.
   */
  public Future<Long> stampNotBefore(UUID userId) {
    long stamp = AccessTokens.nowSeconds() + 1;
    return set(prefix(userId) + "nbf", Long.toString(stamp), markerTtlSeconds).map(stamp);
  }

  /** The earliest {@code iat} a new token of this user may carry: now, or the not-before stamp if later. */
  public Future<Long> issueTime(UUID userId) {
    long now = AccessTokens.nowSeconds();
    return redis.send(Request.cmd(Command.GET).arg(prefix(userId) + "nbf"))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(r -> r == null ? now : Math.max(now, Long.parseLong(r.toString())))
        .otherwise(now);
  }

  private Future<Void> set(String key, String value, long ttlSeconds) {
    return redis.send(Request.cmd(Command.SET).arg(key).arg(value).arg("EX").arg(ttlSeconds))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(err -> {
          unreachable(err);
          return Future.failedFuture(ApiException.unavailable("revocation_unavailable",
              "The session ended, but revoking its access token failed; retry shortly.", 1));
        })
        .mapEmpty();
  }

  private void unreachable(Throwable err) {
    if (redisDown.compareAndSet(false, true)) {
      log.warn("Redis unreachable for revocation checks; letting authenticated requests through until it returns: {}",
          err.toString());
    }
  }

  private void reachable() {
    if (redisDown.compareAndSet(true, false)) {
      log.info("Redis reachable again; revocation checks resumed");
    }
  }

  private static String str(Response r) {
    return r == null ? null : r.toString();
  }
}
