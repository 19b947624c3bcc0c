package dev.bulwark.http;

import dev.bulwark.core.Failure;
import dev.bulwark.core.FieldError;
import io.vertx.core.Handler;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place errors become responses: RFC 9457 {@code application/problem+json} with a stable
 * {@code code} and the request id. Each 5xx is logged once with its request id; no internal message
 * ever reaches the client.
 */
public final class ProblemHandler implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
  public static final String CONTENT_TYPE = "application/problem+json";

  private static final Map<Integer, String[]> DEFAULTS =
      Map.ofEntries(
          Map.entry(
              400,
              new String[] {"bad_request", "Bad Request", "The request could not be understood."}),
          Map.entry(
              401, new String[] {"unauthorized", "Unauthorized", "Authentication is required."}),
          Map.entry(403, new String[] {"forbidden", "Forbidden", "This action is not allowed."}),
          Map.entry(404, new String[] {"not_found", "Not Found", "No resource at this path."}),
          Map.entry(
              405,
              new String[] {
                "method_not_allowed",
                "Method Not Allowed",
                "This path does not support this method."
              }),
          Map.entry(
              406,
              new String[] {"not_acceptable", "Not Acceptable", "No acceptable representation."}),
          Map.entry(
              408,
              new String[] {
                "request_timeout", "Request Timeout", "The request took too long to arrive."
              }),
          Map.entry(
              409,
              new String[] {
                "conflict", "Conflict", "The request conflicts with the current state."
              }),
          Map.entry(410, new String[] {"gone", "Gone", "This resource is no longer available."}),
          Map.entry(
              412,
              new String[] {
                "precondition_failed", "Precondition Failed", "A precondition did not hold."
              }),
          Map.entry(
              413,
              new String[] {
                "payload_too_large", "Payload Too Large", "The request body is too large."
              }),
          Map.entry(
              415,
              new String[] {
                "unsupported_media_type",
                "Unsupported Media Type",
                "The body must be application/json."
              }),
          Map.entry(
              422,
              new String[] {
                "unprocessable_content", "Unprocessable Content", "The request cannot be processed."
              }),
          Map.entry(
              429,
              new String[] {"rate_limited", "Too Many Requests", "Too many requests; slow down."}),
          Map.entry(
              431,
              new String[] {
                "headers_too_large",
                "Request Header Fields Too Large",
                "The request headers are too large."
              }),
          Map.entry(
              500,
              new String[] {
                "internal_error", "Internal Server Error", "An unexpected error occurred."
              }),
          Map.entry(
              503,
              new String[] {
                "service_unavailable",
                "Service Unavailable",
                "The service is temporarily unavailable."
              }));

  private final AllowedMethods allowedMethods;
  private final SheddingLog shed = new SheddingLog();
  private final Telemetry telemetry;

  public ProblemHandler(AllowedMethods allowedMethods) {
    this(allowedMethods, Telemetry.NONE);
  }

  /** Tells {@code telemetry} (the error reporter) of every unexpected failure answered 500. */
  public ProblemHandler(AllowedMethods allowedMethods, Telemetry telemetry) {
    this.allowedMethods = allowedMethods;
    this.telemetry = telemetry;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten() && ctx.failure() == null && ctx.statusCode() == 503) {
      // the request timeout fired under a response that is streaming its body (an account
      // export): the body is on its way, and the handler streaming it bounds it itself
      return;
    }
    if (response.headWritten()) {
      log.warn(
          "failure after the response started (request_id={}): {}",
          RequestIds.of(ctx),
          describe(ctx.failure()));
      response.reset();
      return;
    }
    Throwable failure = ctx.failure();
    if (failure == null && ctx.statusCode() == 503) {
      // the request timeout fired (TimeoutHandler fails with a bare 503)
      shed.log(ctx, "timed out");
      send(
          ctx,
          Failure.unavailable(
              "request_timeout", "The request took too long and was abandoned; retry.", 1));
      return;
    }
    Problem problem = toProblem(ctx.statusCode(), failure);
    if (problem.code().equals("service_unavailable") && !(failure instanceof Failure)) {
      // overload or a dependency blip: many at once, each the same story — a line a second, no
      // stack traces
      shed.log(ctx, describe(failure));
    } else if (problem.status() >= 500 && !(failure instanceof Failure)) {
      log.error(
          "request_id={} {} {} failed",
          RequestIds.of(ctx),
          ctx.request().method(),
          ctx.request().path(),
          failure);
      if (failure != null) {
        telemetry.unexpected(ctx, failure);
      }
    }
    if (problem.status() == 405 && allowedMethods.isHidden(ctx.request().path())) {
      // a hidden route's wrong method: the answer to a path that does not exist
      problem = toProblem(404, null);
    }
    if (problem.status() == 405) {
      response.putHeader("Allow", allowedMethods.allowHeader(ctx.request().path()));
      if (ctx.request().method() == HttpMethod.OPTIONS) {
        // a plain OPTIONS (not a CORS preflight) asks what the path supports: that is the answer,
        // not an error
        response.setStatusCode(204).end();
        return;
      }
    }
    send(ctx, problem);
  }

  /**
   * Writes a failure's problem response; for handlers that answer an error without failing the
   * context.
   */
  public static void send(RoutingContext ctx, Failure failure) {
    send(ctx, Problem.of(failure));
  }

  private static void send(RoutingContext ctx, Problem problem) {
    ProblemCounts.count(problem.status(), problem.code());
    HttpServerResponse response = ctx.response();
    if (problem.status() == 401) {
      // RFC 6750 §3.1: no error attribute when the request carried no credentials at all, nor when
      // what failed was a password (a login, a password change): the bearer token was not at fault
      response.putHeader(
          "WWW-Authenticate",
          problem.code().equals("missing_token") || problem.code().equals("invalid_credentials")
              ? "Bearer realm=\"bulwark\""
              : "Bearer realm=\"bulwark\", error=\"invalid_token\"");
    }
    if (problem.retryAfterSeconds() >= 0) {
      response.putHeader("Retry-After", Long.toString(Math.max(1, problem.retryAfterSeconds())));
    }
    response
        .setStatusCode(problem.status())
        .putHeader("Content-Type", CONTENT_TYPE)
        .putHeader("Cache-Control", "no-store")
        .end(body(problem, RequestIds.of(ctx), Telemetry.traceId(ctx)).toBuffer());
  }

  static JsonObject body(Problem problem, String requestId) {
    return body(problem, requestId, null);
  }

  /** The body, with the trace id beside the request id when the request has a trace. */
  static JsonObject body(Problem problem, String requestId, String traceId) {
    String[] defaults =
        DEFAULTS.getOrDefault(problem.status(), DEFAULTS.get(problem.status() >= 500 ? 500 : 400));
    JsonObject body =
        new JsonObject()
            .put("type", "urn:bulwark:problem:" + problem.code())
            .put("title", defaults[1])
            .put("status", problem.status())
            .put("detail", problem.detail() == null ? defaults[2] : problem.detail())
            .put("code", problem.code())
            .put("request_id", requestId);
    if (traceId != null) {
      body.put("trace_id", traceId);
    }
    problem.members().forEach(body::put);
    if (!problem.errors().isEmpty()) {
      JsonArray errors = new JsonArray();
      for (FieldError e : problem.errors()) {
        errors.add(
            new JsonObject()
                .put("field", e.field())
                .put("code", e.code())
                .put("message", e.message()));
      }
      body.put("errors", errors);
    }
    return body;
  }

  /** Maps any failure to a safe problem; unknown exceptions become a bare 500. */
  static Problem toProblem(int statusCode, Throwable failure) {
    if (failure instanceof Failure expected) {
      return Problem.of(expected);
    }
    if (failure instanceof DecodeException) {
      return Problem.of(Failure.invalid("malformed_json", "The request body is not valid JSON."));
    }
    if (isTransient(failure)) {
      return Problem.of(
          Failure.unavailable(
              "service_unavailable",
              "A backing service is briefly unavailable; retry shortly.",
              1));
    }
    int status = statusCode;
    if (failure instanceof HttpException http) {
      status = http.getStatusCode();
    }
    if (status < 400 || status > 599) {
      status = 500;
    }
    String[] defaults = DEFAULTS.getOrDefault(status, DEFAULTS.get(status >= 500 ? 500 : 400));
    return new Problem(
        status, defaults[0], defaults[2], List.of(), Failure.NO_RETRY_HINT, Map.of());
  }

  /** The HTTP status of each kind of failure: the one place the domain's outcomes meet HTTP. */
  static int status(Failure.Kind kind) {
    return switch (kind) {
      case INVALID -> 400;
      case UNAUTHENTICATED -> 401;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case GONE -> 410;
      case PRECONDITION_FAILED -> 412;
      case UNSUPPORTED_MEDIA_TYPE -> 415;
      case TOO_LARGE -> 413;
      case TIMED_OUT -> 408;
      case UNPROCESSABLE -> 422;
      case TOO_MANY_REQUESTS -> 429;
      case UNAVAILABLE -> 503;
    };
  }

  /**
   * A response to be: a {@link Failure} given its status, or a bare status the router or Vert.x
   * produced.
   */
  record Problem(
      int status,
      String code,
      String detail,
      List<FieldError> errors,
      long retryAfterSeconds,
      Map<String, Object> members) {
    static Problem of(Failure f) {
      return new Problem(
          ProblemHandler.status(f.kind()),
          f.code(),
          f.getMessage(),
          f.errors(),
          f.retryAfterSeconds(),
          f.members());
    }
  }

  /**
   * Failures a retry can fix, anywhere in the cause chain: a pool's wait queue full or its wait
   * timed out, a connection lost or refused, a timeout, an event-bus reply that timed out, or
   * PostgreSQL reporting serialization/deadlock (40xxx), connection (08xxx), resources (53xxx) or
   * shutdown (57P0x).
   */
  static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectionPoolTooBusyException
          || t instanceof ClosedConnectionException
          || t instanceof ConnectException
          || t instanceof TimeoutException
          || (t instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT)) {
        return true;
      }
      // the SQL pool's "Timeout waiting for connection" is a bare VertxException
      if (t instanceof VertxException
          && t.getMessage() != null
          && t.getMessage().startsWith("Timeout")) {
        return true;
      }
      if (t instanceof PgException pg && pg.getSqlState() != null) {
        String state = pg.getSqlState();
        return state.startsWith("40")
            || state.startsWith("08")
            || state.startsWith("53")
            || state.startsWith("57P0");
      }
    }
    return false;
  }

  /**
   * Requests answered 503 because of load or a dependency blip: logged at most once a second with
   * how many were answered so since the last line, so that shedding load does not add a log storm
   * to it.
   */
  private static final class SheddingLog {
    private final AtomicLong nextLogAt = new AtomicLong();
    private final LongAdder since = new LongAdder();

    void log(RoutingContext ctx, String why) {
      since.increment();
      long now = System.currentTimeMillis();
      long next = nextLogAt.get();
      if (now >= next && nextLogAt.compareAndSet(next, now + 1000)) {
        log.warn(
            "503 for request_id={} {} {} ({}); {} request(s) answered 503 since the last such line",
            RequestIds.of(ctx),
            ctx.request().method(),
            ctx.request().path(),
            why,
            since.sumThenReset());
      }
    }
  }

  private static String describe(Throwable t) {
    return t == null ? "no exception" : t.getClass().getSimpleName();
  }
}
