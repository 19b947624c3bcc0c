package dev.bulwark.http;

import dev.bulwark.core.Failure;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.util.List;
import java.util.Set;

/**
 * CORS for exact configured origins. An allowed origin gets its own origin echoed; a preflight from
 * it is answered here. Any other origin gets no CORS headers at all, and its preflight a 403.
 * {@code *} (refused outside development) allows every origin. Never {@code
 * Access-Control-Allow-Credentials}: the API authenticates with bearer tokens, not cookies, so a
 * browser has no ambient credential to send and none should be invited.
 */
public final class Cors implements SecurityPolicyHandler {
  private static final String ALLOW_METHODS = "GET, POST, PATCH, DELETE, OPTIONS";
  private static final String ALLOW_HEADERS =
      "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match, X-Request-Id";
  private static final String EXPOSE_HEADERS =
      "X-Request-Id, ETag, Location, Retry-After, RateLimit, RateLimit-Policy, "
          + "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset";
  private static final String MAX_AGE = "600";

  private final Set<String> origins;
  private final boolean any;

  public Cors(List<String> configured) {
    this.any = configured.contains("*");
    this.origins = Set.copyOf(configured);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader("Origin");
    boolean preflight =
        request.method() == HttpMethod.OPTIONS
            && request.getHeader("Access-Control-Request-Method") != null;
    if (origin == null) {
      ctx.next();
      return;
    }
    boolean allowed = any || origins.contains(origin);
    if (!allowed) {
      if (preflight) {
        ctx.fail(Failure.forbidden("cors_origin_denied", "This origin may not call the API."));
      } else {
        ctx.next();
      }
      return;
    }
    MultiMap headers = ctx.response().headers();
    headers.add("Vary", "Origin");
    headers.set("Access-Control-Allow-Origin", any ? "*" : origin);
    if (preflight) {
      headers.set("Access-Control-Allow-Methods", ALLOW_METHODS);
      headers.set("Access-Control-Allow-Headers", ALLOW_HEADERS);
      headers.set("Access-Control-Max-Age", MAX_AGE);
      ctx.response().setStatusCode(204).end();
      return;
    }
    headers.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    ctx.next();
  }
}
