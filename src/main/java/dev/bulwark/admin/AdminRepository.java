package dev.bulwark.admin;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL of the administration API: accounts as administrators see them, their changes, and the audit
 * trail. Every list is keyset-paged (newest first) with each filter a nullable parameter, so one
 * prepared statement serves every combination.
 */
final class AdminRepository {
  private static final String USER_COLUMNS =
      "id, email, display_name, role, disabled_at, created_at, updated_at";

  private static final String LIST_USERS =
      "SELECT "
          + USER_COLUMNS
          + """
           FROM users
          WHERE ($1::text IS NULL OR role = $1)
            AND ($2::boolean IS NULL OR (disabled_at IS NOT NULL) = $2)
            AND ($3::text IS NULL OR email LIKE $3 ESCAPE '\\')
            AND ($4::timestamptz IS NULL OR created_at >= $4)
            AND ($5::timestamptz IS NULL OR created_at < $5)
            AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::uuid))
          ORDER BY created_at DESC, id DESC
          LIMIT $8""";

  private static final String USER = "SELECT " + USER_COLUMNS + " FROM users WHERE id = $1";

  private static final String LOCK_USER =
      "SELECT " + USER_COLUMNS + " FROM users WHERE id = $1 FOR UPDATE";

  private static final String UPDATE_USER =
      """
      UPDATE users SET role = $2,
             disabled_at = CASE WHEN $3 THEN coalesce(disabled_at, now()) END,
             updated_at = now()
      WHERE id = $1
      RETURNING\s"""
          + USER_COLUMNS;

  private static final String LIST_AUDIT =
      """
      SELECT id, occurred_at, event_type, user_id, session_id, ip, request_id, details
      FROM audit_events
      WHERE ($1::uuid IS NULL OR user_id = $1)
        AND ($2::text IS NULL OR event_type = $2)
        AND ($3::timestamptz IS NULL OR occurred_at >= $3)
        AND ($4::timestamptz IS NULL OR occurred_at < $4)
        AND ($5::bigint IS NULL OR id < $5)
      ORDER BY id DESC
      LIMIT $6""";

  /** An account as administrators see it. */
  record Account(
      UUID id,
      String email,
      String displayName,
      String role,
      OffsetDateTime disabledAt,
      OffsetDateTime createdAt,
      OffsetDateTime updatedAt) {
    static Account from(Row r) {
      return new Account(
          r.getUUID(0),
          r.getString(1),
          r.getString(2),
          r.getString(3),
          r.getOffsetDateTime(4),
          r.getOffsetDateTime(5),
          r.getOffsetDateTime(6));
    }

    boolean disabled() {
      return disabledAt != null;
    }
  }

  /** One row of the audit trail. */
  record AuditEvent(
      long id,
      OffsetDateTime occurredAt,
      String type,
      UUID userId,
      UUID sessionId,
      String ip,
      String requestId,
      JsonObject details) {
    static AuditEvent from(Row r) {
      Object details = r.getValue(7);
      return new AuditEvent(
          r.getLong(0),
          r.getOffsetDateTime(1),
          r.getString(2),
          r.getUUID(3),
          r.getUUID(4),
          r.getString(5),
          r.getString(6),
          details instanceof JsonObject o ? o : new JsonObject());
    }
  }

  /** The filters of the account list; any may be null. */
  record UserFilter(
      String role,
      Boolean disabled,
      String emailPrefix,
      OffsetDateTime createdFrom,
      OffsetDateTime createdBefore) {}

  /** The filters of the audit list; any may be null. */
  record AuditFilter(UUID userId, String event, OffsetDateTime from, OffsetDateTime before) {}

  private AdminRepository() {}

  /** A page of accounts after {@code (afterCreated, afterId)} (both null for the first page). */
  static Future<List<Account>> listUsers(
      SqlClient sql, UserFilter f, OffsetDateTime afterCreated, UUID afterId, int limit) {
    Tuple args =
        Tuple.tuple()
            .addString(f.role())
            .addBoolean(f.disabled())
            .addString(f.emailPrefix() == null ? null : likePrefix(f.emailPrefix()))
            .addOffsetDateTime(f.createdFrom())
            .addOffsetDateTime(f.createdBefore())
            .addOffsetDateTime(afterCreated)
            .addUUID(afterId)
            .addInteger(limit);
    return sql.preparedQuery(LIST_USERS).execute(args).map(AdminRepository::accounts);
  }

  static Future<Account> user(SqlClient sql, UUID id) {
    return sql.preparedQuery(USER).execute(Tuple.of(id)).map(AdminRepository::firstAccount);
  }

  /** The account, locked until the transaction ends; null when there is none. */
  static Future<Account> lockUser(SqlClient sql, UUID id) {
    return sql.preparedQuery(LOCK_USER).execute(Tuple.of(id)).map(AdminRepository::firstAccount);
  }

  static Future<Account> updateUser(SqlClient sql, UUID id, String role, boolean disabled) {
    return sql.preparedQuery(UPDATE_USER)
        .execute(Tuple.of(id, role, disabled))
        .map(AdminRepository::firstAccount);
  }

  /** A page of audit events with ids below {@code beforeId} (null for the first page). */
  static Future<List<AuditEvent>> listAudit(
      SqlClient sql, AuditFilter f, Long beforeId, int limit) {
    Tuple args =
        Tuple.tuple()
            .addUUID(f.userId())
            .addString(f.event())
            .addOffsetDateTime(f.from())
            .addOffsetDateTime(f.before())
            .addLong(beforeId)
            .addInteger(limit);
    return sql.preparedQuery(LIST_AUDIT)
        .execute(args)
        .map(
            rows -> {
              List<AuditEvent> out = new ArrayList<>(rows.size());
              rows.forEach(r -> out.add(AuditEvent.from(r)));
              return out;
            });
  }

  /** A LIKE pattern matching strings that start with {@code prefix} taken literally. */
  static String likePrefix(String prefix) {
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }

  private static List<Account> accounts(RowSet<Row> rows) {
    List<Account> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(Account.from(r)));
    return out;
  }

  private static Account firstAccount(RowSet<Row> rows) {
    return rows.iterator().hasNext() ? Account.from(rows.iterator().next()) : null;
  }
}
