package dev.bulwark.http;

import io.vertx.core.Timer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * {@code http.requestTimeout}: a request not answered in time gets 503 (as vertx-web's timeout
 * handler does). A route whose body is streamed ({@link ApiRouter#streamed}) disarms it: such a
 * body may take minutes on a slow network, and its handler bounds it with deadlines of its own.
 */
final class RequestTimeout implements PlatformHandler {
  private static final String DISARM = "bulwark.requestTimeout.disarm";

  private final long timeoutMs;

  RequestTimeout(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Timer timer = ctx.vertx().timer(timeoutMs);
    int endHandler = ctx.addEndHandler(v -> timer.cancel());
    ctx.put(
        DISARM,
        (Runnable)
            () -> {
              if (ctx.removeEndHandler(endHandler)) {
                timer.cancel();
              }
            });
    timer.onSuccess(
        v -> {
          if (ctx.removeEndHandler(endHandler)) {
            if (!ctx.request().isEnded()) {
              ctx.request().resume();
            }
            ctx.fail(503);
          }
        });
    ctx.next();
  }

  /** Stops this request's timeout, if it has one that has not fired. */
  static void disarm(RoutingContext ctx) {
    Runnable disarm = ctx.get(DISARM);
    if (disarm != null) {
      disarm.run();
    }
  }
}
