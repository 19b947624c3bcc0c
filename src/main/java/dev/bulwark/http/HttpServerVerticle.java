package dev.bulwark.http;

import dev.bulwark.Services;
import dev.bulwark.config.HttpConfig;
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
  private HttpServer server;

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
        .setTcpNoDelay(true)
        .setReuseAddress(true);
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

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown();
  }
}
