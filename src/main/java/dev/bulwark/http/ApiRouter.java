package dev.bulwark.http;

import dev.bulwark.config.HttpConfig;
import dev.bulwark.core.Role;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The route table. Every route gets its chain here, in one order: platform (request id, access log,
 * canonical path) → body → gate (the caller's credential, revocation and every rate limit, in one
 * Redis round trip; a bad credential is answered only after the address was counted) → feature.
 * Feature {@code *Routes} classes declare their paths through {@link #route}, each with its access
 * level and, where it needs more than a signed-in user, the {@link Role} it requires; errors from
 * any handler end in the one {@link ProblemHandler}.
 */
public final class ApiRouter {
  /** DELETE too: deleting one's account re-authenticates with the password in the body. */
  private static final Set<HttpMethod> WITH_BODY =
      Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);

  /** How long the rest of an unread body is discarded before its connection closes. */
  private static final long UNREAD_LINGER_MS = 2000;

  private final Router router;
  private final AllowedMethods allowed = new AllowedMethods();
  private final Handler<RoutingContext> body;
  private final Map<Access, Handler<RoutingContext>> gates = new EnumMap<>(Access.class);
  private final Map<Role, Handler<RoutingContext>> roleGates = new EnumMap<>(Role.class);
  private final boolean hideRoleRoutes;
  private final Telemetry telemetry;
  private final HttpServerMeters.Routes meters;

  private ApiRouter(Vertx vertx, Platform platform, Telemetry telemetry) {
    this.router = Router.router(vertx);
    this.telemetry = telemetry;
    this.meters = platform.meters().routes();
    this.body = BodyHandler.create(false).setBodyLimit(platform.http().bodyLimit());
    for (Access access : Access.values()) {
      if (access != Access.OPS) {
        gates.put(access, platform.gates().apply(access));
      }
    }
    this.hideRoleRoutes = platform.hideRoleRoutes();
    roleGates.put(Role.USER, gates.get(Access.USER));
    roleGates.put(Role.STAFF, platform.roleGates().apply(Role.STAFF));
    roleGates.put(Role.ADMIN, platform.roleGates().apply(Role.ADMIN));
  }

  /**
   * What every route shares, decided by the composition root: the HTTP settings, whether this is
   * production (HSTS), the allowed CORS origins, how client addresses are told, whether the process
   * is draining for shutdown, the gate of each access level (the caller's credential and checks,
   * and every rate limit), and the gate of {@link Access#USER} routes that require a role above the
   * lowest (the same gate, whose verdict also reads the role claim of the token: no I/O), whether
   * those routes hide from callers without a staff role (a wrong method is 404, not 405), and the
   * HTTP meters ({@link HttpServerMeters#NONE} with metrics off).
   */
  public record Platform(
      HttpConfig http,
      boolean production,
      List<String> corsOrigins,
      ClientAddress clients,
      BooleanSupplier draining,
      Duration gracePeriod,
      Function<Access, Handler<RoutingContext>> gates,
      Function<Role, Handler<RoutingContext>> roleGates,
      boolean hideRoleRoutes,
      HttpServerMeters meters) {}

  /**
   * The router of one HTTP verticle: the platform chain, then each module's routes, then the one
   * problem handler.
   */
  public static Router create(Vertx vertx, Platform platform, List<RouteModule> modules) {
    return create(vertx, platform, modules, Telemetry.NONE);
  }

  /** As above, telling {@code telemetry} each request, its route template and its 500s. */
  public static Router create(
      Vertx vertx, Platform platform, List<RouteModule> modules, Telemetry telemetry) {
    ApiRouter api = new ApiRouter(vertx, platform, telemetry);
    HttpConfig http = platform.http();
    api.router.route().handler(new RequestIds());
    Handler<RoutingContext> measured = api.meters.onRequest();
    if (measured != null) {
      api.router.route().handler(measured);
    }
    Handler<RoutingContext> traced = telemetry.onRequest();
    if (traced != null) {
      api.router.route().handler(traced);
    }
    api.router.route().handler(new ConnectionDrain(platform.draining(), platform.gracePeriod()));
    if (http.accessLog()) {
      api.router.route().handler(new AccessLog());
    }
    api.router
        .route()
        .handler(new RequestTimeout(vertx, http.requestTimeout().toMillis()))
        .handler(new SecurityHeaders(platform.production(), platform.clients()))
        .handler(new HostAllowlist(http.allowedHosts()))
        .handler(new Cors(platform.corsOrigins()))
        .handler(platform.clients()::attach)
        .handler(new CanonicalPath());
    for (RouteModule module : modules) {
      module.mount(api);
    }
    ProblemHandler problems = new ProblemHandler(api.allowed, telemetry);
    api.router.route().failureHandler(problems);
    api.router.errorHandler(404, problems);
    api.router.errorHandler(405, problems);
    return api.router;
  }

  /**
   * Declares one route: its access level decides which platform handlers run before {@code
   * feature}. A GET route answers HEAD too (RFC 9110 §9.3.2), through the same chain — the same
   * gate and rate limits, the same status and headers — and the server sends no body.
   */
  public void route(
      HttpMethod method, String path, Access access, Handler<RoutingContext> feature) {
    route(method, path, access, null, feature);
  }

  /**
   * Declares one route that requires {@code role} or above of its caller ({@link Access#USER}
   * only): the gate refuses anyone else (403, or 404 where the administration API hides itself).
   */
  public void route(
      HttpMethod method, String path, Access access, Role role, Handler<RoutingContext> feature) {
    if (role != null && access != Access.USER) {
      throw new IllegalArgumentException("a required role needs Access.USER: " + path);
    }
    allowed.add(method, path);
    if (role != null && role != Role.USER && hideRoleRoutes) {
      allowed.hide(path);
    }
    Route route = router.route(method, path);
    if (method == HttpMethod.GET) {
      allowed.add(HttpMethod.HEAD, path);
      route.method(HttpMethod.HEAD);
    }
    measure(route, path);
    Handler<RoutingContext> named = telemetry.onRoute(method, path);
    if (named != null) {
      route.handler(named);
    }
    if (WITH_BODY.contains(method)) {
      route.handler(body);
    }
    if (access != Access.OPS) {
      route.handler(role == null ? gates.get(access) : roleGates.get(role));
    }
    route.handler(feature);
  }

  /**
   * Declares a route whose feature reads the request body itself, as a stream (an upload): no
   * buffering body handler, and no request timeout (the feature bounds the transfer with deadlines
   * of its own). The request is paused until the feature resumes it, so nothing is read before the
   * gate has let the caller in.
   */
  public void streamed(
      HttpMethod method, String path, Access access, Handler<RoutingContext> feature) {
    allowed.add(method, path);
    Route route = router.route(method, path);
    measure(route, path);
    route.handler(
        ctx -> {
          ctx.request().pause();
          RequestTimeout.disarm(ctx);
          ctx.addHeadersEndHandler(
              v -> {
                if (!ctx.request().isEnded() && ctx.request().version() != HttpVersion.HTTP_2) {
                  ctx.response().headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                }
              });
          ctx.addEndHandler(v -> closeUnread(ctx));
          ctx.next();
        });
    if (access != Access.OPS) {
      route.handler(gates.get(access));
    }
    route.handler(feature);
  }

  /** Labels the requests {@code route} serves with its template in the HTTP meters. */
  private void measure(Route route, String template) {
    Handler<RoutingContext> labelled = meters.onRoute(template);
    if (labelled != null) {
      route.handler(labelled);
    }
  }

  /**
   * A response sent before its request body was read (a refusal, a limit): the connection cannot
   * take another request, so the rest of the body is discarded for a moment (so the client reads
   * the answer rather than a reset); a body still arriving after that loses its connection.
   */
  private static void closeUnread(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.isEnded()) {
      return;
    }
    request.handler(b -> {});
    if (request.version() == HttpVersion.HTTP_2) {
      // one stream of a shared connection: the rest of its body is discarded as it comes
      request.resume();
      return;
    }
    HttpConnection connection = request.connection();
    long timer = ctx.vertx().setTimer(UNREAD_LINGER_MS, t -> connection.close());
    // once the body is in, the client (told Connection: close) closes; the timer is for bodies
    // that keep coming
    request.endHandler(v -> ctx.vertx().cancelTimer(timer));
    request.resume();
  }

  /**
   * A route under {@code pathPrefix} outside the access-level chain (the platform handlers still
   * run), for static assets that need handlers of their own.
   */
  public Route assets(String pathPrefix) {
    return router.route(pathPrefix);
  }
}
