package dev.bulwark.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * What the router tells observability, given by the composition root: where a request's trace
 * starts, which route template served it, and which failures were unexpected. {@link #NONE} adds no
 * handler at all, so with tracing and error reporting off the request path is what it was.
 */
public interface Telemetry {
  Telemetry NONE = new Telemetry() {};

  /** Where a handler records the template of the route serving the request. */
  String ROUTE_KEY = "bulwark.route";

  /** Where a handler records the request's trace id (only when it has a trace). */
  String TRACE_ID_KEY = "bulwark.traceId";

  /** A platform handler run right after the request id, or null for none. */
  default Handler<RoutingContext> onRequest() {
    return null;
  }

  /** A handler run first on the route declared as {@code method template}, or null for none. */
  default Handler<RoutingContext> onRoute(HttpMethod method, String template) {
    return null;
  }

  /** A failure no handler expected, answered 500; never blocks. */
  default void unexpected(RoutingContext ctx, Throwable failure) {}

  /** The template of the route that served {@code ctx}, when one was recorded. */
  static String route(RoutingContext ctx) {
    return ctx.get(ROUTE_KEY);
  }

  /** The request's trace id, when it has a trace. */
  static String traceId(RoutingContext ctx) {
    return ctx.get(TRACE_ID_KEY);
  }
}
