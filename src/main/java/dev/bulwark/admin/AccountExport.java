package dev.bulwark.admin;

import dev.bulwark.auth.Principal;
import dev.bulwark.core.Failure;
import dev.bulwark.core.Timestamps;
import dev.bulwark.http.Access;
import dev.bulwark.http.ApiRouter;
import dev.bulwark.http.RouteModule;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/me/export}: everything Bulwark holds about the caller as one JSON document
 * (GDPR Art. 15 and 20) — profile, sessions, tasks, audit events — streamed as it is read. Tasks
 * and events come through a PostgreSQL cursor in one read-only transaction (one consistent
 * snapshot), each row written as it arrives; when the client reads slower than the database
 * answers, the cursor pauses until the response drains. Memory stays that of one fetch whatever the
 * account holds. A failure once the document has started cannot become a problem response: the
 * connection is reset, so a client never mistakes a truncated export for a complete one.
 *
 * <p>The request timeout does not cut a document once it has started (a large export on a slow link
 * takes longer than any API call should); instead a client that stops reading for {@value
 * #STALL_SECONDS} s, or an export still running after {@value #MAX_MINUTES} minutes, is cut off, so
 * a reader that stalls cannot hold a database connection for long.
 */
public final class AccountExport implements RouteModule {
  private static final Logger log = LoggerFactory.getLogger(AccountExport.class);
  private static final Buffer COMMA = Buffer.buffer(",");
  static final long STALL_SECONDS = 30;
  static final long MAX_MINUTES = 10;

  private final Pool pg;

  public AccountExport(Pool pg) {
    this.pg = pg;
  }

  @Override
  public void mount(ApiRouter api) {
    api.route(HttpMethod.GET, "/api/v1/me/export", Access.USER, this::export);
  }

  private void export(RoutingContext ctx) {
    UUID userId = Principal.of(ctx).userId();
    HttpServerResponse response = ctx.response();
    Vertx vertx = ctx.vertx();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(MAX_MINUTES);
    pg.getConnection()
        .compose(
            conn ->
                conn.begin()
                    .compose(
                        tx ->
                            conn.query(ExportRepository.SNAPSHOT)
                                .execute()
                                .compose(v -> document(conn, userId, response, vertx, deadline))
                                .eventually(tx::rollback))
                    .eventually(conn::close))
        .onSuccess(v -> response.end())
        .onFailure(
            err -> {
              if (response.headWritten()) {
                log.warn("export of {} abandoned after it started: {}", userId, err.toString());
                response.reset();
              } else {
                ctx.fail(err);
              }
            });
  }

  private Future<Void> document(
      SqlConnection conn, UUID userId, HttpServerResponse response, Vertx vertx, long deadline) {
    return conn.preparedQuery(ExportRepository.PROFILE)
        .execute(Tuple.of(userId))
        .compose(
            rows -> {
              if (!rows.iterator().hasNext()) {
                return Future.failedFuture(
                    Failure.unauthenticated(
                        "user_not_found", "The account of this token no longer exists."));
              }
              JsonObject profile = profile(rows.iterator().next());
              return conn.preparedQuery(ExportRepository.SESSIONS)
                  .execute(Tuple.of(userId))
                  .map(
                      sessions -> {
                        JsonArray list = new JsonArray();
                        sessions.forEach(r -> list.add(session(r)));
                        return new JsonObject()
                            .put("format", "bulwark-export/1")
                            .put("exported_at", Timestamps.format(OffsetDateTime.now()))
                            .put("profile", profile)
                            .put("sessions", list);
                      });
            })
        .compose(
            head -> {
              response
                  .setChunked(true)
                  .setStatusCode(200)
                  .putHeader("Content-Type", "application/json")
                  .putHeader("Cache-Control", "no-store")
                  .putHeader("Content-Disposition", "attachment; filename=\"bulwark-export.json\"");
              String encoded = head.encode();
              // the head without its closing brace; the streamed arrays follow
              response.write(encoded.substring(0, encoded.length() - 1) + ",\"tasks\":[");
              return array(
                  conn,
                  ExportRepository.TASKS,
                  userId,
                  new Writer(response, vertx, deadline),
                  AccountExport::task);
            })
        .compose(
            v -> {
              response.write("],\"audit_events\":[");
              return array(
                  conn,
                  ExportRepository.AUDIT,
                  userId,
                  new Writer(response, vertx, deadline),
                  AccountExport::event);
            })
        .map(
            v -> {
              response.write("]}");
              return null;
            });
  }

  /** Where rows go: the response, with the bounds on how long it may take. */
  private record Writer(HttpServerResponse response, Vertx vertx, long deadline) {}

  /**
   * Writes the rows of {@code sql} as JSON array elements, pausing the cursor while the response's
   * write queue is full and giving up on a client that stops reading or a deadline passed.
   */
  private static Future<Void> array(
      SqlConnection conn, String sql, UUID userId, Writer out, Function<Row, JsonObject> json) {
    HttpServerResponse response = out.response();
    ExportRepository.RowSink[] sink = new ExportRepository.RowSink[1];
    boolean[] first = {true};
    return ExportRepository.stream(
        conn,
        sql,
        userId,
        s -> {
          sink[0] = s;
          response.closeHandler(v -> s.abandon(new IllegalStateException("the client went away")));
        },
        row -> {
          if (response.closed()) {
            sink[0].abandon(new IllegalStateException("the client went away"));
            return;
          }
          if (System.nanoTime() > out.deadline()) {
            sink[0].abandon(new IllegalStateException("the export ran past its time limit"));
            return;
          }
          if (!first[0]) {
            response.write(COMMA);
          }
          first[0] = false;
          response.write(json.apply(row).toBuffer());
          if (response.writeQueueFull()) {
            sink[0].rows().pause();
            long stall =
                out.vertx()
                    .setTimer(
                        TimeUnit.SECONDS.toMillis(STALL_SECONDS),
                        t ->
                            sink[0].abandon(
                                new IllegalStateException("the client stopped reading")));
            response.drainHandler(
                d -> {
                  out.vertx().cancelTimer(stall);
                  sink[0].rows().resume();
                });
          }
        });
  }

  private static JsonObject profile(Row r) {
    return new JsonObject()
        .put("id", r.getUUID(0).toString())
        .put("email", r.getString(1))
        .put("display_name", r.getString(2))
        .put("role", r.getString(3))
        .put("created_at", format(r.getOffsetDateTime(4)))
        .put("updated_at", format(r.getOffsetDateTime(5)))
        .put("password_changed_at", format(r.getOffsetDateTime(6)));
  }

  private static JsonObject session(Row r) {
    return new JsonObject()
        .put("id", r.getUUID(0).toString())
        .put("device_name", r.getString(1))
        .put("user_agent", r.getString(2))
        .put("ip", r.getString(3))
        .put("created_at", format(r.getOffsetDateTime(4)))
        .put("last_used_at", format(r.getOffsetDateTime(5)))
        .put("expires_at", format(r.getOffsetDateTime(6)))
        .put("revoked_at", format(r.getOffsetDateTime(7)))
        .put("revoke_reason", r.getString(8));
  }

  private static JsonObject task(Row r) {
    return new JsonObject()
        .put("id", r.getUUID(0).toString())
        .put("title", r.getString(1))
        .put("notes", r.getString(2))
        .put("status", r.getString(3))
        .put("priority", r.getString(4))
        .put("due_at", format(r.getOffsetDateTime(5)))
        .put("created_at", format(r.getOffsetDateTime(6)))
        .put("updated_at", format(r.getOffsetDateTime(7)))
        .put("version", r.getInteger(8))
        .put(
            "location",
            r.getDouble(9) == null
                ? null
                : new JsonObject().put("lat", r.getDouble(9)).put("lon", r.getDouble(10)));
  }

  private static JsonObject event(Row r) {
    Object details = r.getValue(6);
    return new JsonObject()
        .put("id", r.getLong(0))
        .put("occurred_at", format(r.getOffsetDateTime(1)))
        .put("event", r.getString(2))
        .put("session_id", r.getUUID(3) == null ? null : r.getUUID(3).toString())
        .put("ip", r.getString(4))
        .put("request_id", r.getString(5))
        .put("details", details instanceof JsonObject o ? o : new JsonObject());
  }

  private static String format(OffsetDateTime t) {
    return t == null ? null : Timestamps.format(t);
  }
}
