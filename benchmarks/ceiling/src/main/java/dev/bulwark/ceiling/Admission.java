package dev.bulwark.ceiling;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Admission in one Redis round trip: one {@code EVALSHA} of the sliding-window script per request, on the verticle's
 * own connection. A signed-in request sends its access token's three revocation markers (Bulwark's keys, so a
 * revocation made through Bulwark holds here too) and its per-user limits under the user's hash tag; the public
 * refresh call sends the per-address limits Bulwark's production rules apply to it. The counts are
 * {@code -Dceiling.limit} (default: more than any benchmark sends).
 *
 * <p>Bulwark makes the same checks in up to two script calls per request (one per principal, pipelined); this makes
 * them in one. Left out: a timeout per call, and a fallback while Redis is down.
 */
final class Admission {
  static final String SCRIPT = load();
  static final String SHA1 = sha1(SCRIPT);
  private static final long LIMIT = Long.getLong("ceiling.limit", 999_999_999L);
  private static final long MINUTE = 60_000;
  private static final long HOUR = 3_600_000;

  private final RedisConnection redis;

  Admission(RedisConnection redis) {
    this.redis = redis;
  }

  /** Loads the script into Redis's cache (once per verticle at start) and checks Redis names it as we do. */
  static Future<Void> load(RedisConnection redis) {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(SCRIPT)).compose(sha -> SHA1.equals(sha.toString())
        ? Future.succeededFuture()
        : Future.failedFuture(new IllegalStateException("Redis named the script " + sha + ", expected " + SHA1)));
  }

  /** A signed-in request: not revoked, and within the user's limits; else fails with a {@link Reject}. */
  Future<Void> user(AccessTokens.Principal p) {
    String tag = "{u:" + p.userId() + "}";
    String markers = "bw:" + tag + ":";
    Request call = Request.cmd(Command.EVALSHA).arg(SHA1).arg(5)
        .arg(markers + "nbf").arg(markers + "sid:" + p.sessionId()).arg(markers + "jti:" + p.jti())
        .arg("ceiling:" + tag + ":1m").arg("ceiling:" + tag + ":1h")
        .arg(3).arg(LIMIT).arg(MINUTE).arg(LIMIT).arg(HOUR);
    return redis.send(call).map(reply -> {
      String nbf = reply.get(1).toString();
      if (!reply.get(2).toString().isEmpty() || !reply.get(3).toString().isEmpty()
          || (!nbf.isEmpty() && p.issuedAt() < parse(nbf))) {
        throw Reject.REVOKED;
      }
      return allowed(reply);
    });
  }

  /** A public call from one address: within the address's limits (auth per minute, global per minute and hour). */
  Future<Void> address(String ip) {
    String tag = "ceiling:{ip:" + ip + "}:";
    Request call = Request.cmd(Command.EVALSHA).arg(SHA1).arg(3)
        .arg(tag + "auth:1m").arg(tag + "global:1m").arg(tag + "global:1h")
        .arg(0).arg(LIMIT).arg(MINUTE).arg(LIMIT).arg(MINUTE).arg(LIMIT).arg(HOUR);
    return redis.send(call).map(Admission::allowed);
  }

  private static Void allowed(Response reply) {
    if (reply.get(0).toInteger() != 1) {
      throw Reject.RATE_LIMITED;
    }
    return null;
  }

  private static long parse(String stamp) {
    try {
      return Long.parseLong(stamp);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE; // an unreadable stamp revokes, as in Bulwark
    }
  }

  private static String load() {
    try (InputStream in = Admission.class.getResourceAsStream("/ceiling/sliding-window.lua")) {
      if (in == null) {
        throw new IllegalStateException("ceiling/sliding-window.lua is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
