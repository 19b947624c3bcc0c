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
  private static final String CREDENTIALS =
      "SELECT id, password_hash, role, disabled_at IS NOT NULL FROM users WHERE email = $1";
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
  private static final String DELETE_USER = "DELETE FROM users WHERE id = $1";
  private static final String CREDENTIALS_BY_ID =
      "SELECT email, password_hash FROM users WHERE id = $1";
  private static final String PROFILE =
      "SELECT id, email, display_name, created_at, updated_at, role FROM users WHERE id = $1";
  private static final String UPDATE_DISPLAY_NAME =
      """
      UPDATE users SET display_name = $2, updated_at = now() WHERE id = $1
      RETURNING id, email, display_name, created_at, updated_at, role""";

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
      String role) {
    static Profile from(Row row) {
      return new Profile(
          row.getUUID("id"),
          row.getString("email"),
          row.getString("display_name"),
          row.getOffsetDateTime("created_at"),
          row.getOffsetDateTime("updated_at"),
          row.getString("role"));
    }
  }

  /** What login needs: the id, the stored password hash, the role's name and whether disabled. */
  public record Credentials(UUID id, String passwordHash, String role, boolean disabled) {}

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
                      row.getUUID(0), row.getString(1), row.getString(2), row.getBoolean(3));
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
   * Deletes an account and, by cascade, its sessions, refresh tokens, tasks and idempotency
   * records; its audit events are deleted first (they would otherwise stay, detached). True when it
   * existed.
   */
  public static Future<Boolean> delete(SqlClient sql, UUID userId) {
    return sql.preparedQuery(DELETE_AUDIT_EVENTS)
        .execute(Tuple.of(userId))
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

  private static Row first(RowSet<Row> rows) {
    return rows.iterator().hasNext() ? rows.iterator().next() : null;
  }
}
