package dev.bulwark.tasks;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * SQL for {@code task_idempotency_keys}: what a create with an {@code Idempotency-Key} answered,
 * kept for the key's lifetime. Read and written only inside the create transaction, after the
 * user's row is locked, so two requests with one key are serialised: the second sees the first's
 * record.
 */
public final class IdempotencyRecords {
  private static final String FIND =
      """
      SELECT request_hash, response_status, response_body, task_id, task_version,
             created_at > now() - make_interval(secs => $3) AS live
      FROM task_idempotency_keys WHERE user_id = $1 AND idempotency_key = $2""";
  private static final String DELETE =
      "DELETE FROM task_idempotency_keys WHERE user_id = $1 AND idempotency_key = $2";
  private static final String INSERT =
      """
      INSERT INTO task_idempotency_keys
        (user_id, idempotency_key, request_hash, response_status, response_body, task_id, task_version)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";
  private static final String PURGE =
      """
      DELETE FROM task_idempotency_keys WHERE (user_id, idempotency_key) IN (
        SELECT user_id, idempotency_key FROM task_idempotency_keys
        WHERE created_at < now() - make_interval(secs => $1)
        LIMIT $2 FOR UPDATE SKIP LOCKED)""";

  /** A stored outcome; {@code live} is false once it is older than the key lifetime. */
  public record Stored(
      byte[] requestHash, int status, String body, UUID taskId, int taskVersion, boolean live) {
    static Stored from(Row row) {
      return new Stored(
          row.getBuffer(0).getBytes(),
          row.getInteger(1),
          row.getString(2),
          row.getUUID(3),
          row.getInteger(4),
          row.getBoolean(5));
    }
  }

  private IdempotencyRecords() {}

  public static Future<Stored> find(SqlClient sql, UUID userId, String key, long ttlSeconds) {
    return sql.preparedQuery(FIND)
        .execute(Tuple.of(userId, key, ttlSeconds))
        .map(
            rows -> {
              var it = rows.iterator();
              return it.hasNext() ? Stored.from(it.next()) : null;
            });
  }

  public static Future<Void> delete(SqlClient sql, UUID userId, String key) {
    return sql.preparedQuery(DELETE).execute(Tuple.of(userId, key)).mapEmpty();
  }

  public static Future<Void> insert(
      SqlClient sql,
      UUID userId,
      String key,
      byte[] requestHash,
      int status,
      Buffer body,
      UUID taskId,
      int taskVersion) {
    return sql.preparedQuery(INSERT)
        .execute(
            Tuple.of(
                userId,
                key,
                Buffer.buffer(requestHash),
                (short) status,
                body.toString(),
                taskId,
                taskVersion))
        .mapEmpty();
  }

  /** Deletes up to {@code batch} records older than the key lifetime; the number deleted. */
  public static Future<Integer> purge(SqlClient sql, long ttlSeconds, int batch) {
    return sql.preparedQuery(PURGE).execute(Tuple.of(ttlSeconds, batch)).map(RowSet::rowCount);
  }
}
