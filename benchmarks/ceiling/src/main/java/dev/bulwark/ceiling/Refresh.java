package dev.bulwark.ceiling;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code POST /api/v1/auth/refresh} as Bulwark does it on its common path: in one transaction, lock the token's family
 * (session row), read the presented token, consume it keeping its child sealed (AES-256-GCM, Bulwark's key
 * derivation), insert the child's hash, extend the session; then read the user's not-before stamp from Redis and
 * mint the access token. Statements, hashing, sealing and signing are Bulwark's, so the work is the same.
 *
 * <p>The token statement reads what those branches need, so PostgreSQL does the same work either way. Left out, as
 * no benchmark request reaches them: the answers to a token presented again (Bulwark replays the live
 * child within the grace window, or ends the family and audits the reuse) — here such a token is refused with 401 —
 * and the Redis call's timeout. One instance per verticle (its digest, cipher and MAC are not thread-safe).
 */
final class Refresh {
  private static final String LOCK_FAMILY = """
      SELECT s.id, s.user_id, s.revoked_at IS NOT NULL AS revoked, s.expires_at <= now() AS expired
      FROM sessions s
      WHERE s.id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $1)
      FOR UPDATE""";
  private static final String TOKEN = """
      SELECT t.id, t.consumed_at IS NOT NULL AS consumed, t.expires_at <= now() AS expired,
             t.consumed_at >= now() - make_interval(secs => $2) AS within_grace, t.child_token_sealed,
             (SELECT c.consumed_at IS NULL FROM refresh_tokens c WHERE c.parent_id = t.id) AS child_active
      FROM refresh_tokens t WHERE t.token_hash = $1""";
  private static final String CONSUME = """
      UPDATE refresh_tokens SET consumed_at = now(), child_token_sealed = $2
      WHERE id = $1 AND consumed_at IS NULL""";
  private static final String INSERT_TOKEN = """
      INSERT INTO refresh_tokens (session_id, token_hash, parent_id, expires_at)
      VALUES ($1, $2, $3, now() + make_interval(secs => $4))""";
  private static final String TOUCH_SESSION = """
      UPDATE sessions SET last_used_at = now(), ip = $2, expires_at = now() + make_interval(secs => $3)
      WHERE id = $1""";
  private static final long GRACE_SECONDS = 10;
  private static final int TOKEN_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final JsonFactory JSON = new JsonFactory();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Reject SESSION_REVOKED = new Reject(401, "session_revoked");
  private static final Reject EXPIRED = new Reject(401, "refresh_token_expired");
  private static final Reject REUSED = new Reject(401, "refresh_token_reused");
  private static final byte[] ACCESS_TOKEN = ascii("{\"access_token\":");
  private static final byte[] EXPIRES_IN = ascii(",\"token_type\":\"Bearer\",\"expires_in\":");
  private static final byte[] REFRESH_TOKEN = ascii(",\"refresh_token\":");
  private static final byte[] REFRESH_EXPIRES_IN = ascii(",\"refresh_expires_in\":");
  private static final byte[] SESSION_ID = ascii(",\"session_id\":");

  private final Pool pg;
  private final RedisConnection redis;
  private final AccessTokens tokens;
  private final long refreshTtl;
  private final long accessTtl;
  private final SecureRandom random = new SecureRandom();
  private final MessageDigest sha256;
  private final Cipher gcm;
  private final SecretKeySpec sealKey;
  private final JsonBytes out = new JsonBytes(1024);

  /** A rotation that went through: who, which session, the new refresh token. */
  private record Rotated(UUID userId, UUID sessionId, String refreshToken) {
  }

  Refresh(Pool pg, RedisConnection redis, AccessTokens tokens, Settings settings) {
    this.pg = pg;
    this.redis = redis;
    this.tokens = tokens;
    this.refreshTtl = settings.refreshTtlSeconds();
    this.accessTtl = settings.accessTtlSeconds();
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
      gcm = Cipher.getInstance("AES/GCM/NoPadding");
      Mac derive = Mac.getInstance("HmacSHA256");
      derive.init(new SecretKeySpec(settings.jwtSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      sealKey = new SecretKeySpec(derive.doFinal("bulwark refresh-token seal v1".getBytes(StandardCharsets.UTF_8)), "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The refresh token of a {@code {"refresh_token":"..."}} body, checked for plausible syntax; else a 400/401. */
  static String presented(Buffer body) {
    String token = null;
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw Reject.BAD_BODY;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        if (!"refresh_token".equals(p.currentName()) || p.nextToken() != JsonToken.VALUE_STRING) {
          throw Reject.BAD_BODY;
        }
        token = p.getText();
      }
    } catch (IOException e) {
      throw Reject.BAD_BODY;
    }
    if (token == null) {
      throw Reject.BAD_BODY;
    }
    if (token.length() != 43 || !token.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      throw Reject.BAD_REFRESH;
    }
    return token;
  }

  /** Rotates the presented token; the token-pair response body. */
  Future<Buffer> rotate(String presented, String ip) {
    byte[] hash = hash(presented);
    return pg.withTransaction(conn -> conn.preparedQuery(LOCK_FAMILY).execute(Tuple.of(Buffer.buffer(hash)))
            .compose(family -> {
              var it = family.iterator();
              if (!it.hasNext()) {
                return Future.failedFuture(Reject.BAD_REFRESH);
              }
              Row f = it.next();
              if (f.getBoolean(2)) {
                return Future.failedFuture(SESSION_REVOKED);
              }
              if (f.getBoolean(3)) {
                return Future.failedFuture(EXPIRED);
              }
              return conn.preparedQuery(TOKEN).execute(Tuple.of(Buffer.buffer(hash), GRACE_SECONDS))
                  .compose(token -> issueChild(conn, f.getUUID(1), f.getUUID(0), token.iterator().next(), hash, ip));
            }))
        .compose(rotated -> issueTime(rotated.userId()).map(iat -> pair(rotated, iat)));
  }

  private Future<Rotated> issueChild(SqlConnection conn, UUID userId, UUID sessionId, Row token, byte[] hash, String ip) {
    if (token.getBoolean(1)) {
      return Future.failedFuture(REUSED);
    }
    if (token.getBoolean(2)) {
      return Future.failedFuture(EXPIRED);
    }
    UUID tokenId = token.getUUID(0);
    String child = generate();
    return conn.preparedQuery(CONSUME).execute(Tuple.of(tokenId, Buffer.buffer(seal(child, hash))))
        .compose(consumed -> consumed.rowCount() == 1
            ? conn.preparedQuery(INSERT_TOKEN).execute(Tuple.of(sessionId, Buffer.buffer(hash(child)), tokenId, refreshTtl))
            : Future.failedFuture(new IllegalStateException("refresh token consumed concurrently")))
        .compose(v -> conn.preparedQuery(TOUCH_SESSION).execute(Tuple.of(sessionId, ip, refreshTtl)))
        .map(v -> new Rotated(userId, sessionId, child));
  }

  /** The earliest iat the new token may carry: now, or the user's not-before stamp when later. */
  private Future<Long> issueTime(UUID userId) {
    long now = System.currentTimeMillis() / 1000;
    return redis.send(Request.cmd(Command.GET).arg("bw:{u:" + userId + "}:nbf"))
        .map(r -> r == null ? now : Math.max(now, Long.parseLong(r.toString())));
  }

  private Buffer pair(Rotated r, long issuedAt) {
    return out.reset()
        .raw(ACCESS_TOKEN).string(tokens.mint(r.userId(), r.sessionId(), issuedAt))
        .raw(EXPIRES_IN).number(accessTtl)
        .raw(REFRESH_TOKEN).string(r.refreshToken())
        .raw(REFRESH_EXPIRES_IN).number(refreshTtl)
        .raw(SESSION_ID).uuid(r.sessionId())
        .raw('}').toBuffer();
  }

  private String generate() {
    byte[] b = new byte[TOKEN_BYTES];
    random.nextBytes(b);
    return B64.encodeToString(b);
  }

  private byte[] hash(String token) {
    return sha256.digest(token.getBytes(StandardCharsets.US_ASCII));
  }

  private byte[] seal(String child, byte[] parentHash) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      byte[] plain = child.getBytes(StandardCharsets.US_ASCII);
      byte[] sealed = new byte[NONCE_BYTES + plain.length + 16];
      System.arraycopy(nonce, 0, sealed, 0, NONCE_BYTES);
      gcm.init(Cipher.ENCRYPT_MODE, sealKey, new GCMParameterSpec(128, nonce));
      gcm.updateAAD(parentHash);
      gcm.doFinal(plain, 0, plain.length, sealed, NONCE_BYTES);
      return sealed;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
