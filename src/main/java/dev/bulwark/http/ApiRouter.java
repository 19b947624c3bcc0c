package dev.bulwark.http;

import dev.bulwark.Services;
import dev.bulwark.ops.OpsRoutes;
import dev.bulwark.ops.Readiness;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The route table: every path with its handlers in order — platform (request id, access log) → body → auth →
 * rate limit → feature. Errors from any of them end in the one {@link ProblemHandler}.
 */
public final class ApiRouter {
  private final Router router;
  private final AllowedMethods allowed = new AllowedMethods();

  private ApiRouter(Vertx vertx) {
    this.router = Router.router(vertx);
  }

  public static Router create(Vertx vertx, Services services) {
    ApiRouter api = new ApiRouter(vertx);
    api.router.route().handler(new RequestIds()).handler(new AccessLog());

    OpsRoutes ops = new OpsRoutes(services,
        new Readiness(vertx, services.pg(), services.redis(), services.config().database().healthTimeout().toMillis()));
    api.route(HttpMethod.GET, "/health", ops::health);
    api.route(HttpMethod.GET, "/ready", ops::ready);
    api.route(HttpMethod.GET, "/api/status", ops::status);

    ProblemHandler problems = new ProblemHandler(api.allowed);
    api.router.route().failureHandler(problems);
    api.router.errorHandler(404, problems);
    api.router.errorHandler(405, problems);
    return api.router;
  }

  @SafeVarargs
  private void route(HttpMethod method, String path, Handler<RoutingContext>... handlers) {
    allowed.add(method, path);
    var route = router.route(method, path);
    for (Handler<RoutingContext> h : handlers) {
      route.handler(h);
    }
  }
}
