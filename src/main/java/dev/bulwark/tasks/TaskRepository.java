package dev.bulwark.tasks;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * SQL for tasks. Every statement is scoped by {@code user_id}. Timestamps come from {@code
 * clock_timestamp()} (the moment of the write, not of the transaction's start) and {@code
 * updated_at} never moves backwards, so delta sync sees each change at or after the time it last
 * saw that task.
 *
 * <p>List and update statements are assembled from a small set of fragments; each distinct shape is
 * built once and cached (the list shapes are {@link ListStatement}s; at most 64 update shapes), so
 * the prepared-statement cache sees a bounded set of strings, and each shape carries only the
 * predicates it needs — so the planner can match it to its index.
 */
public final class TaskRepository {
  static final String COLUMNS =
      "id, title, notes, status, priority, due_at, created_at, updated_at, version,"
          + " attachments::text, lat, lon";

  private static final String FIND =
      "SELECT "
          + COLUMNS
          + ", false AS deleted FROM tasks"
          + " WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL";
  private static final String FIND_WITH_TOMBSTONE =
      "SELECT "
          + COLUMNS
          + ", deleted_at IS NOT NULL AS deleted FROM tasks WHERE id = $1 AND user_id = $2";
  private static final String LOCK_OWNER = "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE";
  private static final String COUNT_LIVE =
      """
      SELECT count(*) FROM (SELECT 1 FROM tasks WHERE user_id = $1 AND deleted_at IS NULL LIMIT $2) AS live""";
  private static final String INSERT =
      """
      INSERT INTO tasks (user_id, title, notes, status, priority, due_at, lat, lon, created_at, updated_at)
      SELECT $1::uuid, $2::text, $3::text, $4::text, $5::text, $6::timestamptz, $7::float8, $8::float8, now.t, now.t
      FROM clock_timestamp() AS now (t)
      RETURNING\s"""
          + COLUMNS
          + ", false AS deleted";
  private static final String SOFT_DELETE =
      """
      UPDATE tasks SET deleted_at = clock_timestamp(), updated_at = GREATEST(clock_timestamp(), updated_at),
                       version = version + 1, title = '', notes = NULL, due_at = NULL,
                       lat = NULL, lon = NULL
      WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL""";
  private static final String IF_VERSION = " AND version = ANY($3::int4[])";
  static final String SYNC_FIRST =
      "SELECT "
          + COLUMNS
          + ", deleted_at IS NOT NULL AS deleted FROM tasks"
          + " WHERE user_id = $1 AND updated_at >= $2::timestamptz ORDER BY updated_at, id LIMIT $3";
  static final String SYNC_NEXT =
      "SELECT "
          + COLUMNS
          + ", deleted_at IS NOT NULL AS deleted FROM tasks"
          + " WHERE user_id = $1 AND (updated_at, id) > ($2::timestamptz, $3::uuid) ORDER BY updated_at, id LIMIT $4";
  private static final String PURGE_TOMBSTONES =
      """
      DELETE FROM tasks WHERE id IN (
        SELECT id FROM tasks WHERE deleted_at IS NOT NULL AND deleted_at < now() - make_interval(secs => $1)
        LIMIT $2 FOR UPDATE SKIP LOCKED)""";

  /**
   * The near list (see {@link TaskListQuery.Near}): the box test is what the GiST index {@code
   * tasks_user_location_idx} answers; the distance test then trims the box's corners. $2/$3 are the
   * point, $4 the radius in metres; rows come ordered by (distance, id).
   */
  private static final String NEAR_SELECT =
      "SELECT "
          + COLUMNS
          + ", false AS deleted, earth_distance(ll_to_earth($2::float8, $3::float8),"
          + " ll_to_earth(lat, lon)) AS distance FROM tasks"
          + " WHERE user_id = $1 AND deleted_at IS NULL AND lat IS NOT NULL"
          + " AND earth_box(ll_to_earth($2::float8, $3::float8), $4::float8) @> ll_to_earth(lat, lon)"
          + " AND earth_distance(ll_to_earth($2::float8, $3::float8), ll_to_earth(lat, lon)) <= $4::float8";

  private static final String NEAR_ORDER = " ORDER BY distance, id LIMIT ";
  static final String NEAR_FIRST = NEAR_SELECT + NEAR_ORDER + "$5";
  static final String NEAR_NEXT =
      NEAR_SELECT
          + " AND (earth_distance(ll_to_earth($2::float8, $3::float8), ll_to_earth(lat, lon)), id)"
          + " > ($5::float8, $6::uuid)"
          + NEAR_ORDER
          + "$7";

  private static final String[] PATCH_COLUMNS = {
    "title", "notes", "status", "priority", "due_at", "lat", "lon"
  };
  private static final String[] PATCH_TYPES = {
    "text", "text", "text", "text", "timestamptz", "float8", "float8"
  };

  /** The {@link TaskPatch#fieldMask()} bit of each patch column (lat and lon share location's). */
  private static final int[] PATCH_BITS = {1, 2, 4, 8, 16, 32, 32};

  private static final int CONDITIONAL = 64;

  private static final AtomicReferenceArray<String> UPDATE_SHAPES =
      new AtomicReferenceArray<>(CONDITIONAL * 2);

  private TaskRepository() {}

  /**
   * Row → task; the columns are {@link #COLUMNS} then {@code deleted}, read by position (a near
   * list adds {@code distance} after them). The attachments come as the JSON text the task shows,
   * written as they are.
   */
  static Task task(Row row) {
    return new Task(
        row.getUUID(0),
        row.getString(1),
        row.getString(2),
        row.getString(3),
        row.getString(4),
        row.getOffsetDateTime(5),
        row.getOffsetDateTime(6),
        row.getOffsetDateTime(7),
        row.getInteger(8),
        row.getBoolean(12),
        row.getString(9),
        location(row));
  }

  private static Location location(Row row) {
    Double lat = row.getDouble(10);
    return lat == null ? null : new Location(lat, row.getDouble(11));
  }

  private static Task first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? task(it.next()) : null;
  }

  private static List<Task> all(RowSet<Row> rows) {
    List<Task> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      out.add(task(row));
    }
    return out;
  }

  /** A live task of the user, or null. */
  public static Future<Task> find(SqlClient sql, UUID userId, UUID id) {
    return sql.preparedQuery(FIND).execute(Tuple.of(id, userId)).map(TaskRepository::first);
  }

  /** A task of the user, live or a tombstone (its {@code deleted} set), or null. */
  public static Future<Task> findWithTombstone(SqlClient sql, UUID userId, UUID id) {
    return sql.preparedQuery(FIND_WITH_TOMBSTONE)
        .execute(Tuple.of(id, userId))
        .map(TaskRepository::first);
  }

  /**
   * Locks the user's row for the rest of the transaction (serialising their creates); false if the
   * user is gone.
   */
  public static Future<Boolean> lockOwner(SqlClient sql, UUID userId) {
    return sql.preparedQuery(LOCK_OWNER).execute(Tuple.of(userId)).map(rows -> rows.size() == 1);
  }

  /** The user's live tasks, counted up to {@code atMost} (so the cost is bounded by the quota). */
  public static Future<Long> countLive(SqlClient sql, UUID userId, int atMost) {
    return sql.preparedQuery(COUNT_LIVE)
        .execute(Tuple.of(userId, atMost))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  public static Future<Task> insert(SqlClient sql, UUID userId, NewTask t) {
    return sql.preparedQuery(INSERT)
        .execute(
            Tuple.of(userId, t.title(), t.notes(), t.status(), t.priority(), t.dueAt())
                .addDouble(t.location() == null ? null : t.location().lat())
                .addDouble(t.location() == null ? null : t.location().lon()))
        .map(TaskRepository::first);
  }

  /**
   * Applies a patch in one statement. Returns null when nothing was written: no such live task, the
   * version did not match {@code versions} (when given), or every patched field already had its new
   * value (so the version is bumped only by a real change).
   */
  public static Future<Task> update(
      SqlClient sql, UUID userId, UUID id, TaskPatch patch, int[] versions) {
    int mask = patch.fieldMask();
    boolean conditional = versions != null;
    Tuple args = Tuple.of(id, userId);
    if (conditional) {
      args.addArrayOfInteger(boxed(versions));
    }
    if (patch.hasTitle()) {
      args.addString(patch.title());
    }
    if (patch.hasNotes()) {
      args.addString(patch.notes());
    }
    if (patch.hasStatus()) {
      args.addString(patch.status());
    }
    if (patch.hasPriority()) {
      args.addString(patch.priority());
    }
    if (patch.hasDueAt()) {
      args.addOffsetDateTime(patch.dueAt());
    }
    if (patch.hasLocation()) {
      Location at = patch.location();
      args.addDouble(at == null ? null : at.lat()).addDouble(at == null ? null : at.lon());
    }
    int shape = mask | (conditional ? CONDITIONAL : 0);
    String sql0 = UPDATE_SHAPES.get(shape);
    if (sql0 == null) {
      sql0 = updateSql(mask, conditional);
      UPDATE_SHAPES.set(shape, sql0);
    }
    return sql.preparedQuery(sql0).execute(args).map(TaskRepository::first);
  }

  static String updateSql(int mask, boolean conditional) {
    StringBuilder set = new StringBuilder();
    StringBuilder cols = new StringBuilder();
    StringBuilder vals = new StringBuilder();
    int n = conditional ? 4 : 3;
    for (int i = 0; i < PATCH_COLUMNS.length; i++) {
      if ((mask & PATCH_BITS[i]) == 0) {
        continue;
      }
      String param = "$" + n++ + "::" + PATCH_TYPES[i];
      set.append(PATCH_COLUMNS[i]).append(" = ").append(param).append(", ");
      cols.append(cols.length() == 0 ? "" : ", ").append(PATCH_COLUMNS[i]);
      vals.append(vals.length() == 0 ? "" : ", ").append(param);
    }
    return "UPDATE tasks SET "
        + set
        + "updated_at = GREATEST(clock_timestamp(), updated_at), version = version + 1"
        + " WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL"
        + (conditional ? IF_VERSION : "")
        + " AND ROW("
        + cols
        + ") IS DISTINCT FROM ROW("
        + vals
        + ")"
        + " RETURNING "
        + COLUMNS
        + ", false AS deleted";
  }

  /**
   * Soft-deletes a live task (a tombstone for delta sync); false when there was none (or the
   * version differed).
   */
  public static Future<Boolean> softDelete(SqlClient sql, UUID userId, UUID id, int[] versions) {
    if (versions == null) {
      return sql.preparedQuery(SOFT_DELETE)
          .execute(Tuple.of(id, userId))
          .map(rows -> rows.rowCount() == 1);
    }
    return sql.preparedQuery(SOFT_DELETE + IF_VERSION)
        .execute(Tuple.of(id, userId, boxed(versions)))
        .map(rows -> rows.rowCount() == 1);
  }

  /**
   * One page (plus one row, to tell whether another page follows) of a list or delta-sync query.
   */
  public static Future<List<Task>> page(SqlClient sql, UUID userId, TaskListQuery q) {
    if (q.isSync()) {
      Tuple args =
          q.after() == null
              ? Tuple.of(userId, q.updatedSince(), q.limit() + 1)
              : Tuple.of(userId, q.after().key(), q.after().id(), q.limit() + 1);
      return sql.preparedQuery(q.after() == null ? SYNC_FIRST : SYNC_NEXT)
          .execute(args)
          .map(TaskRepository::all);
    }
    ListStatement statement = ListStatement.of(q);
    return sql.preparedQuery(statement.sql())
        .execute(statement.bind(userId, q))
        .map(TaskRepository::all);
  }

  /**
   * One page (plus one row) of a near list, each task with its distance in metres from the query's
   * point.
   */
  public static Future<List<Located>> nearPage(SqlClient sql, UUID userId, TaskListQuery q) {
    TaskListQuery.Near near = q.near();
    Tuple args = Tuple.of(userId, near.lat(), near.lon(), (double) near.radiusM());
    if (q.after() != null) {
      args.addDouble(q.after().distance()).addUUID(q.after().id());
    }
    return sql.preparedQuery(q.after() == null ? NEAR_FIRST : NEAR_NEXT)
        .execute(args.addInteger(q.limit() + 1))
        .map(
            rows -> {
              List<Located> out = new ArrayList<>(rows.size());
              for (Row row : rows) {
                out.add(new Located(task(row), row.getDouble(13)));
              }
              return out;
            });
  }

  /** A task of a near list and its distance in metres from the query's point. */
  public record Located(Task task, double distance) {}

  /** Deletes up to {@code batch} tombstones older than the retention; the number deleted. */
  public static Future<Integer> purgeTombstones(SqlClient sql, long retentionSeconds, int batch) {
    return sql.preparedQuery(PURGE_TOMBSTONES)
        .execute(Tuple.of(retentionSeconds, batch))
        .map(RowSet::rowCount);
  }

  /** {@code q} as a literal inside an ILIKE pattern: its own %, _ and \ match themselves. */
  static String likeEscape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' || c == '%' || c == '_') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  private static Integer[] boxed(int[] values) {
    Integer[] out = new Integer[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
