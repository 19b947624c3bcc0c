package dev.bulwark.attachments;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for direct-to-S3 uploads ({@code attachment_direct_uploads}), scoped by user and task. */
final class DirectUploadRepository {
  private static final String INSERT =
      """
      INSERT INTO attachment_direct_uploads
        (id, user_id, task_id, attachment_id, storage_key, filename, content_type, size, sha256, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""";
  private static final String FIND =
      """
      SELECT id, user_id, task_id, attachment_id, storage_key, filename, content_type, size, sha256, expires_at
      FROM attachment_direct_uploads WHERE id = $1 AND user_id = $2 AND task_id = $3""";
  private static final String REMOVE_EXPIRED =
      """
      DELETE FROM attachment_direct_uploads d
      WHERE d.id IN (SELECT id FROM attachment_direct_uploads WHERE expires_at < $1 LIMIT $2)
      RETURNING d.storage_key, EXISTS (SELECT 1 FROM attachments a WHERE a.storage_key = d.storage_key)""";

  private DirectUploadRepository() {}

  static Future<Void> insert(SqlClient sql, DirectUpload u) {
    return sql.preparedQuery(INSERT)
        .execute(
            Tuple.tuple()
                .addUUID(u.id())
                .addUUID(u.userId())
                .addUUID(u.taskId())
                .addUUID(u.attachmentId())
                .addString(u.storageKey())
                .addString(u.filename())
                .addString(u.contentType())
                .addLong(u.size())
                .addString(u.sha256())
                .addOffsetDateTime(u.expiresAt().atOffset(ZoneOffset.UTC)))
        .mapEmpty();
  }

  /** The user's upload {@code id} to {@code taskId}, or null. */
  static Future<DirectUpload> find(SqlClient sql, UUID userId, UUID taskId, UUID id) {
    return sql.preparedQuery(FIND)
        .execute(Tuple.of(id, userId, taskId))
        .map(
            rows -> {
              var it = rows.iterator();
              if (!it.hasNext()) {
                return null;
              }
              Row r = it.next();
              return new DirectUpload(
                  r.getUUID(0),
                  r.getUUID(1),
                  r.getUUID(2),
                  r.getUUID(3),
                  r.getString(4),
                  r.getString(5),
                  r.getString(6),
                  r.getLong(7),
                  r.getString(8),
                  r.getOffsetDateTime(9).toInstant());
            });
  }

  /**
   * Removes up to {@code limit} uploads that expired before {@code now}; the keys of those that no
   * attachment holds (never completed: their objects are to go too).
   */
  static Future<List<String>> removeExpired(SqlClient sql, java.time.Instant now, int limit) {
    return sql.preparedQuery(REMOVE_EXPIRED)
        .execute(Tuple.of(now.atOffset(ZoneOffset.UTC), limit))
        .map(
            rows -> {
              List<String> out = new ArrayList<>();
              for (Row r : rows) {
                if (!r.getBoolean(1)) {
                  out.add(r.getString(0));
                }
              }
              return out;
            });
  }
}
