package dev.bulwark.outbox;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** SQL for the outbox: queue, claim, settle, expire, and the age of the oldest unsent message. */
public final class OutboxRepository {
  private static final String INSERT =
      "INSERT INTO outbound_messages (kind, recipient, subject, body) VALUES ($1, $2, $3, $4)";

  /**
   * Claims due rows by pushing their next attempt a lease ahead: rows another sender holds are
   * skipped, and the rows of a sender that dies come due again when the lease runs out.
   */
  private static final String CLAIM =
      """
      UPDATE outbound_messages m
         SET attempts = m.attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
        FROM (SELECT id FROM outbound_messages
               WHERE sent_at IS NULL AND expired_at IS NULL AND next_attempt_at <= now()
               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
       WHERE m.id = due.id
      RETURNING m.id, m.kind, m.recipient, m.subject, m.body, m.attempts""";

  private static final String SENT =
      "UPDATE outbound_messages SET sent_at = now(), body = NULL, last_error = NULL WHERE id = $1";
  private static final String RETRY =
      """
      UPDATE outbound_messages SET next_attempt_at = now() + make_interval(secs => $2), last_error = $3
       WHERE id = $1""";
  private static final String EXPIRE =
      """
      UPDATE outbound_messages SET expired_at = now(), body = NULL, last_error = $2
       WHERE id = $1 AND sent_at IS NULL AND expired_at IS NULL""";

  /** Unsent messages older than the maximum age, given up in one bounded statement. */
  private static final String EXPIRE_STALE =
      """
      UPDATE outbound_messages SET expired_at = now(), body = NULL,
             last_error = coalesce(last_error, 'never delivered')
       WHERE id IN (SELECT id FROM outbound_messages
                     WHERE sent_at IS NULL AND expired_at IS NULL
                       AND created_at < now() - make_interval(secs => $1)
                     ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING id, kind, attempts, last_error""";

  /** Settled (sent or expired) messages older than the retention, a bounded batch at a time. */
  private static final String PURGE_SETTLED =
      """
      DELETE FROM outbound_messages WHERE id IN (
        SELECT id FROM outbound_messages
         WHERE (sent_at IS NOT NULL OR expired_at IS NOT NULL)
           AND coalesce(sent_at, expired_at) < now() - make_interval(secs => $1)
         ORDER BY coalesce(sent_at, expired_at) LIMIT $2 FOR UPDATE SKIP LOCKED)""";

  private static final String OLDEST_UNSENT_AGE =
      """
      SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
        FROM outbound_messages WHERE sent_at IS NULL AND expired_at IS NULL""";

  private static final String AUDIT =
      "INSERT INTO audit_events (event_type, details) VALUES ('outbound_message_expired', $1)";

  private OutboxRepository() {}

  /**
   * Queues a message with {@code sql}: the connection of the transaction that makes the change the
   * message tells of, so both commit or neither does.
   */
  public static Future<Void> enqueue(SqlClient sql, NewMessage m) {
    return sql.preparedQuery(INSERT)
        .execute(Tuple.of(m.kind(), m.recipient(), m.subject(), m.body()))
        .onSuccess(rows -> OutboxMetrics.queued(m.kind()))
        .mapEmpty();
  }

  static Future<List<OutboundMessage>> claim(SqlClient sql, int limit, double leaseSeconds) {
    return sql.preparedQuery(CLAIM)
        .execute(Tuple.of(limit, leaseSeconds))
        .map(
            rows -> {
              List<OutboundMessage> out = new ArrayList<>(rows.size());
              for (Row row : rows) {
                out.add(
                    new OutboundMessage(
                        row.getLong(0),
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getString(4),
                        row.getInteger(5)));
              }
              return out;
            });
  }

  static Future<Void> sent(SqlClient sql, long id) {
    return sql.preparedQuery(SENT).execute(Tuple.of(id)).mapEmpty();
  }

  static Future<Void> retry(SqlClient sql, long id, double delaySeconds, String reason) {
    return sql.preparedQuery(RETRY).execute(Tuple.of(id, delaySeconds, reason)).mapEmpty();
  }

  /** Gives a message up and records it in the audit trail, in one transaction of the caller's. */
  static Future<Boolean> expire(SqlClient sql, OutboundMessage m, String reason) {
    return sql.preparedQuery(EXPIRE)
        .execute(Tuple.of(m.id(), reason))
        .compose(
            rows ->
                rows.rowCount() == 0
                    ? Future.succeededFuture(false)
                    : audit(sql, m.id(), m.kind(), m.attempts(), reason).map(true));
  }

  /** The stale messages given up, each audited; the kind of each. */
  static Future<List<String>> expireStale(SqlClient sql, double maxAgeSeconds, int limit) {
    return sql.preparedQuery(EXPIRE_STALE)
        .execute(Tuple.of(maxAgeSeconds, limit))
        .compose(
            (RowSet<Row> rows) -> {
              Future<Void> chain = Future.succeededFuture();
              List<String> kinds = new ArrayList<>();
              for (Row row : rows) {
                kinds.add(row.getString(1));
                chain =
                    chain.compose(
                        v ->
                            audit(
                                sql,
                                row.getLong(0),
                                row.getString(1),
                                row.getInteger(2),
                                "max age reached: " + row.getString(3)));
              }
              return chain.map(kinds);
            });
  }

  static Future<Integer> purgeSettled(SqlClient sql, double ageSeconds, int limit) {
    return sql.preparedQuery(PURGE_SETTLED)
        .execute(Tuple.of(ageSeconds, limit))
        .map(RowSet::rowCount);
  }

  static Future<Double> oldestUnsentAgeSeconds(SqlClient sql) {
    return sql.preparedQuery(OLDEST_UNSENT_AGE)
        .execute()
        .map(rows -> rows.iterator().next().getDouble(0));
  }

  private static Future<Void> audit(
      SqlClient sql, long id, String kind, int attempts, String reason) {
    return sql.preparedQuery(AUDIT)
        .execute(
            Tuple.of(
                new JsonObject()
                    .put("message_id", id)
                    .put("kind", kind)
                    .put("attempts", attempts)
                    .put("reason", reason)))
        .mapEmpty();
  }
}
