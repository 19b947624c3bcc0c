package dev.bulwark.auth;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security events: a row in {@code audit_events} and a line on the {@code bulwark.security} logger.
 * Never a password or token in either — only ids, the client address and the request id.
 */
public final class AuditLog {
  private static final Logger security = LoggerFactory.getLogger("bulwark.security");
  private static final String INSERT =
      "INSERT INTO audit_events (event_type, user_id, session_id, ip, request_id, details) VALUES ($1, $2, $3, $4, $5, $6)";

  private AuditLog() {}

  /** Who and where an event concerns. */
  public record Event(
      String type, UUID userId, UUID sessionId, String ip, String requestId, JsonObject details) {
    public Event(String type, UUID userId, UUID sessionId, RequestInfo request) {
      this(type, userId, sessionId, request.ip(), request.requestId(), new JsonObject());
    }

    public Event with(String key, Object value) {
      return new Event(type, userId, sessionId, ip, requestId, details.copy().put(key, value));
    }
  }

  /** Writes the event with {@code client} (a pool, or the connection of an open transaction). */
  public static Future<Void> record(SqlClient client, Event e) {
    security.info(
        "{} {} {} {} {}",
        kv("event", e.type()),
        kv("user_id", e.userId()),
        kv("session_id", e.sessionId()),
        kv("ip", e.ip()),
        kv("request_id", e.requestId()));
    return client
        .preparedQuery(INSERT)
        .execute(Tuple.of(e.type(), e.userId(), e.sessionId(), e.ip(), e.requestId(), e.details()))
        .mapEmpty();
  }

  /**
   * Fire-and-forget for events outside a transaction: a failed audit write is logged, never fails
   * the request.
   */
  public static void recordAsync(SqlClient client, Event e) {
    record(client, e)
        .onFailure(err -> security.warn("audit write failed for {}: {}", e.type(), err.toString()));
  }
}
