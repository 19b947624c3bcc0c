package dev.bulwark.attachments;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL for attachments. Every statement is scoped by {@code user_id}. The task's {@code attachments}
 * column (its JSON as the task shows it) changes in the statement that inserts or deletes the row,
 * with the task's version and {@code updated_at}, so delta sync reports the change.
 */
final class AttachmentRepository {
  private static final String JSON =
      "jsonb_build_object('id', id, 'filename', filename, 'content_type', content_type, 'size',"
          + " size, 'sha256', sha256, 'created_at', to_char(created_at AT TIME ZONE 'UTC',"
          + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))";
  private static final String COLUMNS =
      "id, task_id, filename, content_type, size, sha256, storage_key, " + JSON + "::text";

  private static final String LOCK_OWNER = "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE";
  private static final String BY_IDEMPOTENCY_KEY =
      "SELECT "
          + COLUMNS
          + " FROM attachments WHERE user_id = $1 AND idempotency_key = $2"
          + " AND created_at > now() - make_interval(secs => $3)";
  private static final String USAGE =
      """
      SELECT (SELECT count(*) FROM attachments WHERE task_id = t.id),
             (SELECT coalesce(sum(size), 0) FROM attachments WHERE user_id = $2)::bigint,
             (SELECT count(*) FROM attachment_uploads WHERE user_id = $2 AND expires_at > now())
      FROM tasks t WHERE t.id = $1 AND t.user_id = $2 AND t.deleted_at IS NULL""";
  private static final String LOCK_TASK =
      "SELECT 1 FROM tasks WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL FOR NO KEY UPDATE";
  private static final String OPEN_UPLOAD =
      """
      INSERT INTO attachment_uploads (id, user_id, storage_key, expires_at)
      VALUES ($1, $2, $3, now() + make_interval(secs => $4))""";
  private static final String CLOSE_UPLOAD = "DELETE FROM attachment_uploads WHERE id = $1";
  private static final String DROP_EXPIRED_UPLOADS =
      "DELETE FROM attachment_uploads WHERE user_id = $1 AND expires_at <= now()";
  private static final String INSERT =
      "WITH a AS (INSERT INTO attachments"
          + " (id, user_id, task_id, filename, content_type, size, sha256, storage_key,"
          + " idempotency_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING "
          + COLUMNS.replace("::text", " AS j")
          + ")"
          + " UPDATE tasks t SET attachments = t.attachments || jsonb_build_array(a.j),"
          + " version = t.version + 1, updated_at = GREATEST(clock_timestamp(), t.updated_at)"
          + " FROM a WHERE t.id = a.task_id AND t.user_id = $2"
          + " RETURNING a.id, a.task_id, a.filename, a.content_type, a.size, a.sha256,"
          + " a.storage_key, a.j::text";
  private static final String FIND =
      "SELECT "
          + COLUMNS
          + " FROM attachments WHERE id = $1 AND user_id = $2 AND EXISTS (SELECT 1 FROM tasks t"
          + " WHERE t.id = attachments.task_id AND t.deleted_at IS NULL)";
  private static final String DELETE =
      """
      DELETE FROM attachments a USING tasks t
      WHERE a.id = $1 AND a.user_id = $2 AND t.id = a.task_id AND t.deleted_at IS NULL
      RETURNING a.task_id, a.storage_key""";
  private static final String UNLIST =
      """
      UPDATE tasks SET attachments = (SELECT coalesce(jsonb_agg(e ORDER BY n), '[]'::jsonb)
                                      FROM jsonb_array_elements(attachments) WITH ORDINALITY AS x (e, n)
                                      WHERE e->>'id' <> $3),
                       version = version + 1, updated_at = GREATEST(clock_timestamp(), updated_at)
      WHERE id = $1 AND user_id = $2""";
  private static final String UNKNOWN_KEYS =
      """
      SELECT k FROM unnest($1::text[]) AS k
      WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.storage_key = k)
        AND NOT EXISTS (SELECT 1 FROM attachment_uploads u
                        WHERE u.storage_key = k OR u.storage_key || '.part' = k)
        AND NOT EXISTS (SELECT 1 FROM attachment_direct_uploads d WHERE d.storage_key = k)""";
  private static final String PAGE_OF_KEYS =
      "SELECT id, storage_key FROM attachments WHERE id > $1 ORDER BY id LIMIT $2";

  private AttachmentRepository() {}

  /** What a task's attachment count, its owner's stored bytes and open uploads are. */
  record Usage(long onTask, long bytesStored, long uploadsOpen) {}

  static Attachment attachment(Row row) {
    return new Attachment(
        row.getUUID(0),
        row.getUUID(1),
        row.getString(2),
        row.getString(3),
        row.getLong(4),
        row.getString(5),
        row.getString(6),
        row.getString(7));
  }

  private static Attachment first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? attachment(it.next()) : null;
  }

  static Future<Boolean> lockOwner(SqlClient sql, UUID userId) {
    return sql.preparedQuery(LOCK_OWNER).execute(Tuple.of(userId)).map(rows -> rows.size() == 1);
  }

  static Future<Attachment> byIdempotencyKey(
      SqlClient sql, UUID userId, String key, long ttlSeconds) {
    return sql.preparedQuery(BY_IDEMPOTENCY_KEY)
        .execute(Tuple.of(userId, key, ttlSeconds))
        .map(AttachmentRepository::first);
  }

  /** The usage around one live task of the user; null if there is no such task. */
  static Future<Usage> usage(SqlClient sql, UUID userId, UUID taskId) {
    return sql.preparedQuery(USAGE)
        .execute(Tuple.of(taskId, userId))
        .map(
            rows -> {
              var it = rows.iterator();
              if (!it.hasNext()) {
                return null;
              }
              Row r = it.next();
              return new Usage(r.getLong(0), r.getLong(1), r.getLong(2));
            });
  }

  static Future<Boolean> lockTask(SqlClient sql, UUID userId, UUID taskId) {
    return sql.preparedQuery(LOCK_TASK)
        .execute(Tuple.of(taskId, userId))
        .map(rows -> rows.size() == 1);
  }

  static Future<Void> openUpload(
      SqlClient sql, UUID uploadId, UUID userId, String storageKey, long ttlSeconds) {
    return sql.preparedQuery(DROP_EXPIRED_UPLOADS)
        .execute(Tuple.of(userId))
        .compose(
            v ->
                sql.preparedQuery(OPEN_UPLOAD)
                    .execute(Tuple.of(uploadId, userId, storageKey, ttlSeconds)))
        .mapEmpty();
  }

  static Future<Void> closeUpload(SqlClient sql, UUID uploadId) {
    return sql.preparedQuery(CLOSE_UPLOAD).execute(Tuple.of(uploadId)).mapEmpty();
  }

  static Future<Attachment> insert(
      SqlClient sql, UUID userId, UUID taskId, StoredFile file, String idempotencyKey) {
    Tuple args =
        Tuple.tuple()
            .addUUID(file.id())
            .addUUID(userId)
            .addUUID(taskId)
            .addString(file.filename())
            .addString(file.type().mimeType())
            .addLong(file.size())
            .addString(file.sha256())
            .addString(file.storageKey())
            .addString(idempotencyKey);
    return sql.preparedQuery(INSERT).execute(args).map(AttachmentRepository::first);
  }

  /** An attachment of the user on a live task, or null. */
  static Future<Attachment> find(SqlClient sql, UUID userId, UUID id) {
    return sql.preparedQuery(FIND).execute(Tuple.of(id, userId)).map(AttachmentRepository::first);
  }

  /** Deletes the attachment and takes it off its task; its storage key, or null if none. */
  static Future<String> delete(SqlClient sql, UUID userId, UUID id) {
    return sql.preparedQuery(DELETE)
        .execute(Tuple.of(id, userId))
        .compose(
            rows -> {
              var it = rows.iterator();
              if (!it.hasNext()) {
                return Future.succeededFuture(null);
              }
              Row r = it.next();
              UUID taskId = r.getUUID(0);
              String key = r.getString(1);
              return sql.preparedQuery(UNLIST)
                  .execute(Tuple.of(taskId, userId, id.toString()))
                  .map(key);
            });
  }

  /** Of {@code keys}, those that neither an attachment nor an upload in progress holds. */
  static Future<List<String>> unknownKeys(SqlClient sql, List<String> keys) {
    return sql.preparedQuery(UNKNOWN_KEYS)
        .execute(Tuple.of(keys.toArray(new String[0])))
        .map(
            rows -> {
              List<String> out = new ArrayList<>(rows.size());
              for (Row r : rows) {
                out.add(r.getString(0));
              }
              return out;
            });
  }

  /** A page of (id, storage key) of every attachment, after {@code afterId}, by id. */
  static Future<List<String[]>> keys(SqlClient sql, UUID afterId, int limit) {
    return sql.preparedQuery(PAGE_OF_KEYS)
        .execute(Tuple.of(afterId, limit))
        .map(
            rows -> {
              List<String[]> out = new ArrayList<>(rows.size());
              for (Row r : rows) {
                out.add(new String[] {r.getUUID(0).toString(), r.getString(1)});
              }
              return out;
            });
  }
}
