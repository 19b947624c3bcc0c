package dev.bulwark;

import dev.bulwark.config.LoggingConfig;
import dev.bulwark.config.MetricsConfig;
import dev.bulwark.http.AccessLog;
import dev.bulwark.http.ClientAddress;
import dev.bulwark.http.Cors;
import dev.bulwark.http.HttpServerMeters;
import dev.bulwark.http.RequestIds;
import dev.bulwark.http.RequestTimeout;
import dev.bulwark.http.SecurityHeaders;
import dev.bulwark.infra.Metrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Benchmark fixture, not a test: what each of Bulwark's platform middlewares costs, found by
 * switching each off. One JVM serves the same small JSON response on consecutive ports: bare;
 * behind every middleware, in the order the API router installs them (request id, HTTP meters,
 * access log as JSON through the batching console appender, request timeout, security headers,
 * CORS, and compression on the server); and behind all of them but one, for each. {@code
 * scripts/bench-middleware.sh} drives them with wrk, interleaved, and divides the JVM's CPU time by
 * the requests answered.
 *
 * <p>{@code java -cp target/bulwark.jar:target/test-classes dev.bulwark.MiddlewareCostServer
 * <firstPort>}: prints one line per port ({@code <port> <name>}) on stderr; the access log goes to
 * stdout.
 */
public final class MiddlewareCostServer {
  private static final Buffer BODY =
      Buffer.buffer(
          "{\"name\":\"bulwark\",\"version\":\"0.1.0\",\"environment\":\"production\",\"uptime_seconds\":12345}");

  /** The middlewares, each of which one server leaves out. */
  enum Middleware {
    REQUEST_ID,
    METRICS,
    ACCESS_LOG,
    REQUEST_TIMEOUT,
    SECURITY_HEADERS,
    CORS,
    COMPRESSION
  }

  private MiddlewareCostServer() {}

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    // JSON lines through the batching writer, as in production (stdout goes to a file)
    LoggingSetup.apply(new LoggingConfig(LoggingConfig.Level.INFO, LoggingConfig.Format.JSON));
    // the tests' logback configuration turns the access log down; the server's does not
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("bulwark.access"))
        .setLevel(ch.qos.logback.classic.Level.INFO);
    Vertx measured = Metrics.vertx("middleware-cost", new MetricsConfig(true, 0, null));
    HttpServerMeters meters = new HttpServerMeters(BackendRegistries.getNow("middleware-cost"));
    Vertx plain = Vertx.vertx();

    deploy(plain, port++, "bare", Set.of(), HttpServerMeters.NONE);
    deploy(measured, port++, "all", EnumSet.allOf(Middleware.class), meters);
    for (Middleware off : Middleware.values()) {
      Set<Middleware> on = EnumSet.allOf(Middleware.class);
      on.remove(off);
      String name = "without-" + off.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
      // without metrics: a Vert.x with no registry at all, as metrics.enabled=false runs
      deploy(
          off == Middleware.METRICS ? plain : measured,
          port++,
          name,
          on,
          off == Middleware.METRICS ? HttpServerMeters.NONE : meters);
    }
  }

  private static void deploy(
      Vertx vertx, int port, String name, Set<Middleware> on, HttpServerMeters meters) {
    vertx.deployVerticle(() -> new Server(port, on, meters), new DeploymentOptions()).await();
    // on stderr: stdout carries the access log, which the script discards
    System.err.println(port + " " + name);
  }

  private static final class Server extends VerticleBase {
    private final int port;
    private final Set<Middleware> on;
    private final HttpServerMeters meters;

    Server(int port, Set<Middleware> on, HttpServerMeters meters) {
      this.port = port;
      this.on = on;
      this.meters = meters;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      HttpServerMeters.Routes routes = meters.routes();
      if (on.contains(Middleware.REQUEST_ID)) {
        router.route().handler(new RequestIds());
      }
      if (on.contains(Middleware.METRICS)) {
        router.route().handler(routes.onRequest());
      }
      if (on.contains(Middleware.ACCESS_LOG)) {
        router.route().handler(new AccessLog());
      }
      List<Handler<RoutingContext>> chain = new ArrayList<>();
      if (on.contains(Middleware.REQUEST_TIMEOUT)) {
        chain.add(new RequestTimeout(vertx, 10_000));
      }
      if (on.contains(Middleware.SECURITY_HEADERS)) {
        chain.add(new SecurityHeaders(true, new ClientAddress(List.of())));
      }
      if (on.contains(Middleware.CORS)) {
        chain.add(new Cors(List.of("https://app.example.com")));
      }
      if (!chain.isEmpty()) {
        Route platform = router.route();
        chain.forEach(platform::handler);
      }
      Route status = router.get("/api/status");
      if (on.contains(Middleware.METRICS)) {
        status.handler(routes.onRoute("/api/status"));
      }
      Handler<RoutingContext> answer =
          ctx -> ctx.response().putHeader("Content-Type", "application/json").end(BODY);
      status.handler(answer);
      HttpServerOptions options = new HttpServerOptions().setPort(port).setHost("127.0.0.1");
      if (on.contains(Middleware.COMPRESSION)) {
        options
            .setCompressionSupported(true)
            .setCompressionLevel(6)
            .setCompressionContentSizeThreshold(1024);
      }
      var server = vertx.createHttpServer(options);
      if (on.contains(Middleware.METRICS)) {
        server.connectionHandler(meters::connected);
      }
      return server.requestHandler(router).listen();
    }
  }
}
