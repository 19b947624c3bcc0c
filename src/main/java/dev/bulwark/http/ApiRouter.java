package dev.bulwark.http;

import dev.bulwark.Services;
import dev.bulwark.ops.DocsRoutes;
import dev.bulwark.ops.MetricsRoute;
import dev.bulwark.ops.OpsRoutes;
import dev.bulwark.ops.Readiness;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import dev.bulwark.config.Environment;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * The route table. Every route gets its chain here, in one order: platform (request id, access log, canonical path)
 * → body → gate (the caller's credential, revocation and every rate limit, in one Redis round trip; a bad credential
 * is answered only after the address was counted) → feature. Feature {@code *Routes} classes declare their paths
 * through {@link #route}; errors from any handler end in the one {@link ProblemHandler}.
 */
public final class ApiRouter {
  private static final Set<HttpMethod> WITH_BODY = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);

  private final Router router;
  private final AllowedMethods allowed = new AllowedMethods();
  private final Handler<RoutingContext> body;
  private final Map<Access, Handler<RoutingContext>> gates = new EnumMap<>(Access.class);

  private ApiRouter(Vertx vertx, Services services, Features features) {
    this.router = Router.router(vertx);
    this.body = BodyHandler.create(false).setBodyLimit(services.config().http().bodyLimit());
    for (Access access : Access.values()) {
      if (access != Access.OPS) {
        gates.put(access, features.gate(access));
      }
    }
  }

  public static Router create(Vertx vertx, Services services, Features features) {
    ApiRouter api = new ApiRouter(vertx, services, features);
    var config = services.config();
    api.router.route().handler(new RequestIds());
    api.router.route().handler(new ConnectionDrain(services.draining(), config.shutdown().gracePeriod()));
    if (config.http().accessLog()) {
      api.router.route().handler(new AccessLog());
    }
    api.router.route()
        .handler(TimeoutHandler.create(config.http().requestTimeout().toMillis(), 503))
        .handler(new SecurityHeaders(config.environment() == Environment.PRODUCTION, features.clientAddress()))
        .handler(new HostAllowlist(config.http().allowedHosts()))
        .handler(new Cors(config.corsOrigins()))
        .handler(features.clientAddress()::attach)
        .handler(new CanonicalPath());

    OpsRoutes ops = new OpsRoutes(services,
        new Readiness(vertx, services.pg(), services.redis(), services.config().database().healthTimeout().toMillis()));
    api.route(HttpMethod.GET, "/health", Access.OPS, ops::health);
    api.route(HttpMethod.GET, "/ready", Access.OPS, ops::ready);
    api.route(HttpMethod.GET, "/api/status", Access.PUBLIC, ops::status);
    api.route(HttpMethod.GET, "/openapi.yaml", Access.PUBLIC, ops::contract);
    if (config.metrics().onApiPort()) {
      api.route(HttpMethod.GET, "/metrics", Access.OPS, new MetricsRoute(services.metricsRegistry(), config.metrics().token()));
    }

    if (config.docsEnabled()) {
      DocsRoutes.mount(api, api.router);
    }
    features.mount(api);

    ProblemHandler problems = new ProblemHandler(api.allowed);
    api.router.route().failureHandler(problems);
    api.router.errorHandler(404, problems);
    api.router.errorHandler(405, problems);
    return api.router;
  }

  /** Declares one route: its access level decides which platform handlers run before {@code feature}. */
  public void route(HttpMethod method, String path, Access access, Handler<RoutingContext> feature) {
    allowed.add(method, path);
    Route route = router.route(method, path);
    if (WITH_BODY.contains(method)) {
      route.handler(body);
    }
    if (access != Access.OPS) {
      route.handler(gates.get(access));
    }
    route.handler(feature);
  }

  /** What the feature packages contribute: the gate of each access level, and their routes. */
  public interface Features {
    /** The gate of routes of this access level: the caller's credential and checks, and every rate limit. */
    Handler<RoutingContext> gate(Access access);

    void mount(ApiRouter api);

    /** How the client's address and scheme are told (trusted proxies). */
    ClientAddress clientAddress();
  }
}
