package dev.bulwark.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** SQL for accounts. */
public final class UserRepository {
  private static final String INSERT =
      """
      INSERT INTO users (email, password_hash, display_name, role) VALUES ($1, $2, $3, $4)
      ON CONFLICT (email) DO NOTHING
      RETURNING id""";

  /** With whether the account has an active second factor: login learns it in the same read. */
  private static final String CREDENTIALS =
      """
      SELECT id, password_hash, role, disabled_at IS NOT NULL,
             EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = users.id AND f.activated_at IS NOT NULL)
      FROM users WHERE email = $1""";

  private static final String STANDING =
      "SELECT role, disabled_at IS NOT NULL FROM users WHERE id = $1";

  /**
   * Serialises every change that could leave the deployment without an active administrator
   * (demotion, disabling, deletion), so two of them cannot each see the other's admin still there.
   */
  private static final String LOCK_ADMINS = "SELECT pg_advisory_xact_lock(1651927296)";

  private static final String ACTIVE_ADMINS =
      "SELECT count(*) FROM users WHERE role = $1 AND disabled_at IS NULL";
  private static final String ENSURE_ROLES =
      "INSERT INTO roles (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING";
  private static final String DELETE_AUDIT_EVENTS = "DELETE FROM audit_events WHERE user_id = $1";
  private static final String DELETE_MESSAGES =
      """
      DELETE FROM outbound_messages m USING users u
       WHERE u.id = $1 AND (m.recipient = u.email OR m.recipient = u.phone)""";
  private static final String DELETE_USER = "DELETE FROM users WHERE id = $1";
  private static final String CREDENTIALS_BY_ID =
      "SELECT email, password_hash FROM users WHERE id = $1";
  private static final String PROFILE =
      "SELECT id, email, display_name, created_at, updated_at, role, email_verified_at IS NOT NULL AS email_verified, phone FROM users WHERE id = $1";
  private static final String UPDATE_DISPLAY_NAME =
      """
      UPDATE users SET display_name = $2, updated_at = now() WHERE id = $1
      RETURNING id, email, display_name, created_at, updated_at, role, email_verified_at IS NOT NULL AS email_verified, phone""";
  private static final String BY_PHONE =
      "SELECT id, role, disabled_at IS NOT NULL FROM users WHERE phone = $1";

  /** A phone-only account: no email, an unusable random password, the number proven now. */
  private static final String INSERT_PHONE_ONLY =
      """
      INSERT INTO users (email, password_hash, phone, phone_verified_at, role)
      VALUES (NULL, $2, $1, now(), $3)
      ON CONFLICT (phone) DO NOTHING
      RETURNING id, role, disabled_at IS NOT NULL""";

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
      String role,
      boolean emailVerified,
      String phone) {
    static Profile from(Row row) {
      return new Profile(
          row.getUUID("id"),
          row.getString("email"),
          row.getString("display_name"),
          row.getOffsetDateTime("created_at"),
          row.getOffsetDateTime("updated_at"),
          row.getString("role"),
          row.getBoolean("email_verified"),
          row.getString("phone"));
    }
  }

  /** An account found by its address, and whether that address is proven. */
  public record EmailAccount(UUID id, boolean verified) {}

  /** What login needs: the id, the stored password hash, the role's name and whether disabled. */
  public record Credentials(
      UUID id, String passwordHash, String role, boolean disabled, boolean mfa) {}

  /** What a refresh re-reads: the account's role (its configured name) and whether disabled. */
  public record Standing(String role, boolean disabled) {}

  private UserRepository() {}

  /** The new user's id, or null when the email is taken; {@code role} is a configured name. */
  public static Future<UUID> insert(
      SqlClient sql, String email, String passwordHash, String displayName, String role) {
    return sql.preparedQuery(INSERT)
        .execute(Tuple.of(email, passwordHash, displayName, role))
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
                  : new Credentials(
                      row.getUUID(0),
                      row.getString(1),
                      row.getString(2),
                      row.getBoolean(3),
                      row.getBoolean(4));
            });
  }

  /**
   * Makes the configured role names valid values of {@code users.role} (at start-up, before
   * anything writes an account).
   */
  public static Future<Void> ensureRoles(SqlClient sql, List<String> names) {
    return sql.preparedQuery(ENSURE_ROLES)
        .execute(Tuple.of(names.toArray(new String[0])))
        .mapEmpty();
  }

  /** The role and status of an account, or null when it no longer exists. */
  public static Future<Standing> standing(SqlClient sql, UUID userId) {
    return sql.preparedQuery(STANDING)
        .execute(Tuple.of(userId))
        .map(
            rows -> {
              Row row = first(rows);
              return row == null ? null : new Standing(row.getString(0), row.getBoolean(1));
            });
  }

  /**
   * Inside a transaction: takes the lock every change to the set of administrators holds until
   * commit, then counts the active ones (role {@code adminRole}, not disabled).
   */
  public static Future<Long> lockAndCountActiveAdmins(SqlClient sql, String adminRole) {
    return sql.query(LOCK_ADMINS)
        .execute()
        .compose(v -> sql.preparedQuery(ACTIVE_ADMINS).execute(Tuple.of(adminRole)))
        .map(rows -> first(rows).getLong(0));
  }

  /**
   * Deletes an account and, by cascade, its sessions, refresh tokens, tasks, email tokens and
   * idempotency records; its audit events and the outbox's messages to its address or number are
   * deleted first (they name no account, so no cascade reaches them). True when it existed.
   */
  public static Future<Boolean> delete(SqlClient sql, UUID userId) {
    return sql.preparedQuery(DELETE_MESSAGES)
        .execute(Tuple.of(userId))
        .compose(v -> sql.preparedQuery(DELETE_AUDIT_EVENTS).execute(Tuple.of(userId)))
        .compose(v -> sql.preparedQuery(DELETE_USER).execute(Tuple.of(userId)))
        .map(rows -> rows.rowCount() == 1);
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
  /** An account found by its number: its id, role (the stored name) and whether disabled. */
  public record PhoneAccount(UUID id, String role, boolean disabled) {
    static PhoneAccount from(Row row) {
      return row == null
          ? null
          : new PhoneAccount(row.getUUID(0), row.getString(1), row.getBoolean(2));
    }
  }

  public static Future<PhoneAccount> byPhone(SqlClient sql, String e164) {
    return sql.preparedQuery(BY_PHONE)
        .execute(Tuple.of(e164))
        .map(rows -> PhoneAccount.from(first(rows)));
  }

  /**
   * The new account (of the role {@code role}, the lowest), or null when the number was taken
   * meanwhile.
   */
  public static Future<PhoneAccount> insertPhoneOnly(
      SqlClient sql, String e164, String passwordHash, String role) {
    return sql.preparedQuery(INSERT_PHONE_ONLY)
        .execute(Tuple.of(e164, passwordHash, role))
        .map(rows -> PhoneAccount.from(first(rows)));
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
