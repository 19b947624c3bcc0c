package dev.bulwark.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * Single-use tokens sent by email: 32 bytes from {@link SecureRandom}, base64url; only the SHA-256
 * is stored, with the purpose, the address it was sent to and its expiry. Consumed in one {@code
 * UPDATE … RETURNING}, so two presentations cannot both succeed.
 */
public final class EmailTokens {
  public static final String VERIFY_EMAIL = "verify_email";
  public static final String RESET_PASSWORD = "reset_password";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_TOKEN_CHARS = 64;

  private static final String INSERT =
      """
      INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at)
      VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))""";
  private static final String LIVE =
      """
      SELECT 1 FROM email_tokens
       WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()""";
  private static final String CONSUME =
      """
      UPDATE email_tokens SET used_at = now()
       WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
      RETURNING user_id, email""";
  private static final String RETIRE_OTHERS =
      "UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL";

  private EmailTokens() {}

  /** Whose token it was, and the address it was sent to. */
  public record Owner(UUID userId, String email) {}

  /** A new token (to send) — its hash is what {@link #insert} stores. */
  static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A presented token could be one of ours: 43 base64url characters. */
  static boolean looksValid(String token) {
    return token != null
        && token.length() == 43
        && token.length() <= MAX_TOKEN_CHARS
        && token
            .chars()
            .allMatch(
                c ->
                    (c >= 'A' && c <= 'Z')
                        || (c >= 'a' && c <= 'z')
                        || (c >= '0' && c <= '9')
                        || c == '-'
                        || c == '_');
  }

  static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Future<Void> insert(
      SqlClient sql, String token, UUID userId, String purpose, String email, long ttlSeconds) {
    return sql.preparedQuery(INSERT)
        .execute(Tuple.of(hash(token), userId, purpose, email, (double) ttlSeconds))
        .mapEmpty();
  }

  static Future<Boolean> isLive(SqlClient sql, String token, String purpose) {
    return sql.preparedQuery(LIVE)
        .execute(Tuple.of(hash(token), purpose))
        .map(rows -> rows.size() == 1);
  }

  /** The owner of a live token, which is used up by this call; null if it is not live. */
  static Future<Owner> consume(SqlClient sql, String token, String purpose) {
    return sql.preparedQuery(CONSUME)
        .execute(Tuple.of(hash(token), purpose))
        .map(
            rows -> {
              if (rows.size() == 0) {
                return null;
              }
              Row row = rows.iterator().next();
              return new Owner(row.getUUID(0), row.getString(1));
            });
  }

  /** Every still-live token of a user for a purpose, used up (a reset retires the other links). */
  static Future<Void> retireOthers(SqlClient sql, UUID userId, String purpose) {
    return sql.preparedQuery(RETIRE_OTHERS).execute(Tuple.of(userId, purpose)).mapEmpty();
  }
}
