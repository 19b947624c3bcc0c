package dev.bulwark.admin;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * SQL of the account export: the profile and sessions in one read each, tasks and audit events
 * through a PostgreSQL cursor ({@link RowStream}, {@value #FETCH} rows a fetch) so that an account
 * with 100,000 tasks never has them all in memory at once.
 */
final class ExportRepository {
  static final int FETCH = 500;

  /** One consistent snapshot for the whole document, which writes nothing. */
  static final String SNAPSHOT = "SET TRANSACTION READ ONLY ISOLATION LEVEL REPEATABLE READ";

  static final String PROFILE =
      """
      SELECT id, email, display_name, role, created_at, updated_at, password_changed_at
      FROM users WHERE id = $1""";
  static final String SESSIONS =
      """
      SELECT id, device_name, user_agent, ip, created_at, last_used_at, expires_at, revoked_at,
             revoke_reason
      FROM sessions WHERE user_id = $1 ORDER BY created_at, id""";
  static final String TASKS =
      """
      SELECT id, title, notes, status, priority, due_at, created_at, updated_at, version, lat, lon
      FROM tasks WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id""";
  static final String AUDIT =
      """
      SELECT id, occurred_at, event_type, session_id, ip, request_id, details
      FROM audit_events WHERE user_id = $1 ORDER BY id""";

  private ExportRepository() {}

  /**
   * Streams the rows of {@code sql} (one of the above, with the user id as $1) to {@code each}
   * inside the connection's open transaction; {@code each} may pause the returned stream (back
   * pressure) through the holder it is given. Completes once every row was handed over.
   */
  static Future<Void> stream(
      SqlConnection conn, String sql, UUID userId, Consumer<RowSink> start, Consumer<Row> each) {
    return conn.prepare(sql)
        .compose(
            statement -> {
              Promise<Void> done = Promise.promise();
              RowStream<Row> rows = statement.createStream(FETCH, Tuple.of(userId));
              start.accept(new RowSink(rows, done));
              rows.exceptionHandler(done::tryFail);
              rows.endHandler(v -> done.tryComplete());
              rows.handler(each::accept);
              return done.future().eventually(statement::close);
            });
  }

  /** The stream being read, for pausing and resuming it, and for giving up on it. */
  record RowSink(RowStream<Row> rows, Promise<Void> done) {
    void abandon(Throwable why) {
      rows.close();
      done.tryFail(why);
    }
  }
}
