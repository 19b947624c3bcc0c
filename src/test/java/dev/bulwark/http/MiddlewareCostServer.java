package dev.bulwark.http;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.List;

/**
 * Benchmark fixture, not a test: the same small JSON response served twice in one JVM — on {@code
 * barePort} by a bare router, on {@code fullPort} behind Bulwark's platform middleware (request id,
 * security headers, CORS, and a server with compression on) — so {@code
 * scripts/bench-middleware.sh} can measure what the middleware costs, interleaved, in one run.
 * {@code java -cp target/bulwark.jar:target/test-classes dev.bulwark.http.MiddlewareCostServer
 * <barePort> <fullPort>}
 */
public final class MiddlewareCostServer {
  private static final Buffer BODY =
      Buffer.buffer(
          "{\"name\":\"bulwark\",\"version\":\"0.1.0\",\"environment\":\"production\",\"uptime_seconds\":12345}");

  private MiddlewareCostServer() {}

  public static void main(String[] args) {
    int barePort = Integer.parseInt(args[0]);
    int fullPort = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new Server(barePort, false), new DeploymentOptions()).await();
    vertx.deployVerticle(() -> new Server(fullPort, true), new DeploymentOptions()).await();
    System.out.println("bare on " + barePort + ", with middleware on " + fullPort);
  }

  private static final class Server extends VerticleBase {
    private final int port;
    private final boolean middleware;

    Server(int port, boolean middleware) {
      this.port = port;
      this.middleware = middleware;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      HttpServerOptions options = new HttpServerOptions().setPort(port).setHost("127.0.0.1");
      if (middleware) {
        router
            .route()
            .handler(new RequestIds())
            .handler(new SecurityHeaders(true, new ClientAddress(List.of())))
            .handler(new Cors(List.of("https://app.example.com")));
        options
            .setCompressionSupported(true)
            .setCompressionLevel(6)
            .setCompressionContentSizeThreshold(1024);
      }
      router
          .get("/api/status")
          .handler(ctx -> ctx.response().putHeader("Content-Type", "application/json").end(BODY));
      return vertx.createHttpServer(options).requestHandler(router).listen();
    }
  }
}
