package dev.bulwark;

import dev.bulwark.core.FailureReporter;
import dev.bulwark.http.RequestIds;
import dev.bulwark.http.Telemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.HashMap;
import java.util.Map;

/**
 * The router's observability, as configured: with tracing on, each request's trace id is recorded
 * for its problem bodies and its server span is named by route template ({@code GET
 * /api/v1/tasks/:id}, never the raw path); with error reporting on, unexpected 500s go to the
 * reporter tagged with route, request id and trace id. With both off, {@link #of} gives {@link
 * Telemetry#NONE}: no handler is added to any route.
 */
final class RequestTelemetry implements Telemetry {
  private final boolean tracing;
  private final FailureReporter failures;

  private RequestTelemetry(boolean tracing, FailureReporter failures) {
    this.tracing = tracing;
    this.failures = failures;
  }

  static Telemetry of(boolean tracing, FailureReporter failures) {
    return !tracing && failures == FailureReporter.NONE
        ? Telemetry.NONE
        : new RequestTelemetry(tracing, failures);
  }

  @Override
  public Handler<RoutingContext> onRequest() {
    if (!tracing) {
      return null;
    }
    return new TraceIdRecorder();
  }

  /** Records the request's trace id for its problem bodies. */
  private static final class TraceIdRecorder implements PlatformHandler {
    @Override
    public void handle(RoutingContext ctx) {
      SpanContext span = Span.current().getSpanContext();
      if (span.isValid()) {
        ctx.put(TRACE_ID_KEY, span.getTraceId());
      }
      ctx.next();
    }
  }

  @Override
  public Handler<RoutingContext> onRoute(HttpMethod method, String template) {
    return new RouteNaming(method, template, tracing);
  }

  /**
   * Records the route template (for reports) and, with tracing on, names the server span by it. A
   * platform handler, so Vert.x Web lets it run before the body handler.
   */
  private record RouteNaming(HttpMethod method, String template, boolean tracing)
      implements PlatformHandler {
    @Override
    public void handle(RoutingContext ctx) {
      ctx.put(ROUTE_KEY, template);
      if (tracing) {
        Span span = Span.current();
        if (span.getSpanContext().isValid()) {
          // a HEAD answered by a GET route keeps its own method in the name
          span.updateName(ctx.request().method().name() + " " + template);
          span.setAttribute("http.route", template);
        }
      }
      ctx.next();
    }
  }

  @Override
  public void unexpected(RoutingContext ctx, Throwable failure) {
    Map<String, String> tags = new HashMap<>();
    String route = Telemetry.route(ctx);
    tags.put("route", route == null ? "(no route)" : route);
    tags.put("method", ctx.request().method().name());
    tags.put("request_id", RequestIds.of(ctx));
    String traceId = Telemetry.traceId(ctx);
    if (traceId != null) {
      tags.put("trace_id", traceId);
    }
    failures.report(failure, "http", tags);
  }
}
