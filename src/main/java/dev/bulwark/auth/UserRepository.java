package dev.bulwark.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;

/** SQL for accounts. */
public final class UserRepository {
  private static final String INSERT =
      """
      INSERT INTO users (email, password_hash, display_name) VALUES ($1, $2, $3)
      ON CONFLICT (email) DO NOTHING
      RETURNING id""";
  private static final String CREDENTIALS = "SELECT id, password_hash FROM users WHERE email = $1";
  private static final String CREDENTIALS_BY_ID =
      "SELECT email, password_hash FROM users WHERE id = $1";
  private static final String PROFILE =
      "SELECT id, email, display_name, created_at, updated_at, email_verified_at IS NOT NULL AS email_verified, phone FROM users WHERE id = $1";
  private static final String UPDATE_DISPLAY_NAME =
      """
      UPDATE users SET display_name = $2, updated_at = now() WHERE id = $1
      RETURNING id, email, display_name, created_at, updated_at, email_verified_at IS NOT NULL AS email_verified, phone""";
  private static final String BY_PHONE = "SELECT id FROM users WHERE phone = $1";

  /** A phone-only account: no email, an unusable random password, the number proven now. */
  private static final String INSERT_PHONE_ONLY =
      """
      INSERT INTO users (email, password_hash, phone, phone_verified_at) VALUES (NULL, $2, $1, now())
      ON CONFLICT (phone) DO NOTHING
      RETURNING id""";

  private static final String LINK_PHONE =
      "UPDATE users SET phone = $2, phone_verified_at = now(), updated_at = now() WHERE id = $1";
  private static final String BY_EMAIL =
      "SELECT id, email_verified_at IS NOT NULL FROM users WHERE email = $1";
  private static final String EMAIL_VERIFIED =
      "SELECT email_verified_at IS NOT NULL FROM users WHERE id = $1";

  /** Only while the account still has the address the proof was sent to. */
  private static final String MARK_EMAIL_VERIFIED =
      """
      UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
       WHERE id = $1 AND email = $2""";

  /** A reset proves the address as well: the link reached it. */
  private static final String RESET_PASSWORD =
      """
      UPDATE users SET password_hash = $3, password_changed_at = now(), updated_at = now(),
             email_verified_at = coalesce(email_verified_at, now())
       WHERE id = $1 AND email = $2""";

  /**
   * Not a password change: the same password, hashed in the current format and cost (no session is
   * touched).
   */
  private static final String REPLACE_HASH =
      "UPDATE users SET password_hash = $3 WHERE id = $1 AND password_hash = $2";

  private static final String UPDATE_PASSWORD =
      "UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1";

  /** An account's public profile. */
  public record Profile(
      UUID id,
      String email,
      String displayName,
      OffsetDateTime createdAt,
      OffsetDateTime updatedAt,
      boolean emailVerified,
      String phone) {
    static Profile from(Row row) {
      return new Profile(
          row.getUUID("id"),
          row.getString("email"),
          row.getString("display_name"),
          row.getOffsetDateTime("created_at"),
          row.getOffsetDateTime("updated_at"),
          row.getBoolean("email_verified"),
          row.getString("phone"));
    }
  }

  /** An account found by its address, and whether that address is proven. */
  public record EmailAccount(UUID id, boolean verified) {}

  /** What login needs: the id and the stored password hash. */
  public record Credentials(UUID id, String passwordHash) {}

  private UserRepository() {}

  /** The new user's id, or null when the email is taken. */
  public static Future<UUID> insert(
      SqlClient sql, String email, String passwordHash, String displayName) {
    return sql.preparedQuery(INSERT)
        .execute(Tuple.of(email, passwordHash, displayName))
        .map(rows -> first(rows) == null ? null : first(rows).getUUID("id"));
  }

  public static Future<Credentials> credentials(SqlClient sql, String email) {
    return sql.preparedQuery(CREDENTIALS)
        .execute(Tuple.of(email))
        .map(
            rows -> {
              Row row = first(rows);
              return row == null
                  ? null
                  : new Credentials(row.getUUID("id"), row.getString("password_hash"));
            });
  }

  /** The email and bcrypt hash of an account, for re-authentication. */
  public record Reauth(String email, String passwordHash) {}

  public static Future<Reauth> reauth(SqlClient sql, UUID userId) {
    return sql.preparedQuery(CREDENTIALS_BY_ID)
        .execute(Tuple.of(userId))
        .map(
            rows -> {
              Row row = first(rows);
              return row == null
                  ? null
                  : new Reauth(row.getString("email"), row.getString("password_hash"));
            });
  }

  public static Future<Profile> profile(SqlClient sql, UUID userId) {
    return sql.preparedQuery(PROFILE)
        .execute(Tuple.of(userId))
        .map(rows -> first(rows) == null ? null : Profile.from(first(rows)));
  }

  public static Future<Profile> updateDisplayName(SqlClient sql, UUID userId, String displayName) {
    return sql.preparedQuery(UPDATE_DISPLAY_NAME)
        .execute(Tuple.of(userId, displayName))
        .map(rows -> first(rows) == null ? null : Profile.from(first(rows)));
  }

  public static Future<Boolean> updatePassword(SqlClient sql, UUID userId, String passwordHash) {
    return sql.preparedQuery(UPDATE_PASSWORD)
        .execute(Tuple.of(userId, passwordHash))
        .map(rows -> rows.rowCount() == 1);
  }

  /**
   * Swaps a stale hash for an upgraded one; false (and nothing written) when the password changed
   * meanwhile.
   */
  public static Future<Boolean> replaceHash(
      SqlClient sql, UUID userId, String staleHash, String upgradedHash) {
    return sql.preparedQuery(REPLACE_HASH)
        .execute(Tuple.of(userId, staleHash, upgradedHash))
        .map(rows -> rows.rowCount() == 1);
  }

  /** The account with this (proven) number, or null. */
  public static Future<UUID> byPhone(SqlClient sql, String e164) {
    return sql.preparedQuery(BY_PHONE)
        .execute(Tuple.of(e164))
        .map(rows -> first(rows) == null ? null : first(rows).getUUID(0));
  }

  /** The new account's id, or null when the number was taken meanwhile. */
  public static Future<UUID> insertPhoneOnly(SqlClient sql, String e164, String passwordHash) {
    return sql.preparedQuery(INSERT_PHONE_ONLY)
        .execute(Tuple.of(e164, passwordHash))
        .map(rows -> first(rows) == null ? null : first(rows).getUUID(0));
  }

  /** Fails with PostgreSQL's unique violation when another account has the number. */
  public static Future<Boolean> linkPhone(SqlClient sql, UUID userId, String e164) {
    return sql.preparedQuery(LINK_PHONE)
        .execute(Tuple.of(userId, e164))
        .map(rows -> rows.rowCount() == 1);
  }

  public static Future<EmailAccount> byEmail(SqlClient sql, String email) {
    return sql.preparedQuery(BY_EMAIL)
        .execute(Tuple.of(email))
        .map(
            rows -> {
              Row row = first(rows);
              return row == null ? null : new EmailAccount(row.getUUID(0), row.getBoolean(1));
            });
  }

  public static Future<Boolean> emailVerified(SqlClient sql, UUID userId) {
    return sql.preparedQuery(EMAIL_VERIFIED)
        .execute(Tuple.of(userId))
        .map(rows -> first(rows) != null && first(rows).getBoolean(0));
  }

  /** False when the account no longer has that address (the proof was for another one). */
  public static Future<Boolean> markEmailVerified(SqlClient sql, UUID userId, String email) {
    return sql.preparedQuery(MARK_EMAIL_VERIFIED)
        .execute(Tuple.of(userId, email))
        .map(rows -> rows.rowCount() == 1);
  }

  /** False when the account no longer has the address the reset link was sent to. */
  public static Future<Boolean> resetPassword(
      SqlClient sql, UUID userId, String email, String passwordHash) {
    return sql.preparedQuery(RESET_PASSWORD)
        .execute(Tuple.of(userId, email, passwordHash))
        .map(rows -> rows.rowCount() == 1);
  }

  private static Row first(RowSet<Row> rows) {
    return rows.iterator().hasNext() ? rows.iterator().next() : null;
  }
}
