package dev.bulwark.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * While the process drains (readiness already 503), every HTTP/1.x response says {@code Connection:
 * close} and its connection closes once the response is written: clients and load balancers move
 * off their keep-alive connections between requests, instead of losing a request to the close of
 * the listener. Decided when the response's headers are written, so a request that arrived before
 * the drain began is covered too. Anything a client pipelined after that response is not processed:
 * it was told the connection closes.
 */
public final class ConnectionDrain implements PlatformHandler {
  private final BooleanSupplier draining;
  private final long graceMs;

  public ConnectionDrain(BooleanSupplier draining, Duration gracePeriod) {
    this.draining = draining;
    this.graceMs = gracePeriod.toMillis();
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.addHeadersEndHandler(
        v -> {
          if (draining.getAsBoolean()) {
            closeAfterResponse(ctx.request());
          }
        });
    ctx.next();
  }

  private void closeAfterResponse(HttpServerRequest request) {
    if (request.version() == HttpVersion.HTTP_2) {
      return; // HTTP/2 gets a GOAWAY from the listener's shutdown, which tells the client what was
      // processed
    }
    request.response().headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    request.connection().shutdown(graceMs, TimeUnit.MILLISECONDS);
  }
}
