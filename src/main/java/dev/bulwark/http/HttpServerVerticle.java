package dev.bulwark.http;

import dev.bulwark.config.HttpConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One HTTP listener per instance; Vert.x spreads connections across instances sharing the port. The
 * start future completes only once the port is bound, and fails with a clear message when it cannot
 * be.
 */
public final class HttpServerVerticle extends VerticleBase {
  private final HttpConfig http;
  private final Duration gracePeriod;
  private final Function<Vertx, Endpoint> endpoints;
  private HttpServer server;
  private Endpoint endpoint;

  /**
   * {@code endpoints} builds this instance's router on its own event loop (see {@link Endpoint}).
   */
  public HttpServerVerticle(
      HttpConfig http, Duration gracePeriod, Function<Vertx, Endpoint> endpoints) {
    this.http = http;
    this.gracePeriod = gracePeriod;
    this.endpoints = endpoints;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options =
        new HttpServerOptions()
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
    endpoint = endpoints.apply(vertx);
    server =
        vertx
            .createHttpServer(options)
            .connectionHandler(endpoint::connected)
            .requestHandler(endpoint.router());
    return server.listen().recover(err -> Future.failedFuture(listenFailure(http, err)));
  }

  private static Throwable listenFailure(HttpConfig http, Throwable err) {
    String where = http.host() + ":" + http.port();
    if (err instanceof BindException || String.valueOf(err.getMessage()).contains("in use")) {
      return new IllegalStateException(
          "cannot listen on " + where + ": address already in use (set HTTP_PORT)", err);
    }
    return new IllegalStateException("cannot listen on " + where + ": " + err.getMessage(), err);
  }

  /**
   * Stops accepting, lets in-flight requests finish within the grace period, then closes what is
   * left.
   */
  @Override
  public Future<?> stop() {
    Future<Void> closed =
        server == null
            ? Future.succeededFuture()
            : server.shutdown(gracePeriod.toMillis(), TimeUnit.MILLISECONDS);
    return closed.transform(
        ar -> endpoint == null ? Future.<Void>succeededFuture() : endpoint.close());
  }
}
