package dev.bulwark.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON responses with header values built once. A handler whose work finishes after its request was
 * already answered (by {@code http.requestTimeout}'s 503) writes nothing: each method here returns
 * quietly then, and a handler that sets headers of its own first asks {@link #answered}.
 */
public final class Responses {
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

  private Responses() {}

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    json(ctx, status, body.toBuffer());
  }

  /**
   * Whether this request's response has been started already, by the request timeout; a handler
   * finishing late must then leave it alone (writing a header or status would throw).
   */
  public static boolean answered(RoutingContext ctx) {
    return ctx.response().headWritten();
  }

  public static void json(RoutingContext ctx, int status, Buffer body) {
    if (answered(ctx)) {
      return;
    }
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
  }

  public static void noContent(RoutingContext ctx) {
    if (answered(ctx)) {
      return;
    }
    ctx.response().setStatusCode(204).end();
  }
}
