package dev.bulwark.http;

import dev.bulwark.Services;
import dev.bulwark.config.HttpConfig;
import dev.bulwark.ops.Metrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.BindException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * One HTTP listener per instance; Vert.x spreads connections across instances sharing the port. The start future
 * completes only once the port is bound, and fails with a clear message when it cannot be.
 */
public final class HttpServerVerticle extends VerticleBase {
  private final Services services;
  private final BiFunction<Vertx, Services, ApiRouter.Features> features;
  private static final long LAG_PERIOD_NANOS = 500_000_000L;
  private HttpServer server;
  private long lagTimer = -1;

  public HttpServerVerticle(Services services, BiFunction<Vertx, Services, ApiRouter.Features> features) {
    this.services = services;
    this.features = features;
  }

  @Override
  public Future<?> start() {
    HttpConfig http = services.config().http();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(http.host())
        .setPort(http.port())
        .setMaxHeaderSize(http.maxHeaderSize())
        .setIdleTimeout((int) http.idleTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setCompressionSupported(http.compression())
        .setCompressionLevel(http.compressionLevel())
        .setCompressionContentSizeThreshold(http.compressionThreshold())
        .setTcpNoDelay(true)
        .setReuseAddress(true);
    lagTimer = startLagProbe();
    server = vertx.createHttpServer(options).requestHandler(ApiRouter.create(vertx, services, features.apply(vertx, services)));
    return server.listen().recover(err -> Future.failedFuture(listenFailure(http, err)));
  }

  private static Throwable listenFailure(HttpConfig http, Throwable err) {
    String where = http.host() + ":" + http.port();
    if (err instanceof BindException || String.valueOf(err.getMessage()).contains("in use")) {
      return new IllegalStateException("cannot listen on " + where + ": address already in use (set HTTP_PORT)", err);
    }
    return new IllegalStateException("cannot listen on " + where + ": " + err.getMessage(), err);
  }

  /** Stops accepting, lets in-flight requests finish within the grace period, then closes what is left. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(lagTimer);
    long graceMs = services.config().shutdown().gracePeriod().toMillis();
    return server == null ? Future.succeededFuture() : server.shutdown(graceMs, TimeUnit.MILLISECONDS);
  }

  /** Measures how late this event loop runs a timer: the lag every handler on it would see. */
  private long startLagProbe() {
    String loop = Thread.currentThread().getName();
    long[] expected = {System.nanoTime() + LAG_PERIOD_NANOS};
    return vertx.setPeriodic(LAG_PERIOD_NANOS / 1_000_000, id -> {
      long now = System.nanoTime();
      Metrics.eventLoopLag(loop, Math.max(0, now - expected[0]));
      expected[0] = now + LAG_PERIOD_NANOS;
    });
  }
}
