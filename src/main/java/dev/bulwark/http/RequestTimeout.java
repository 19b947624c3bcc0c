package dev.bulwark.http;

import dev.bulwark.core.FixedTimeouts;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * {@code http.requestTimeout}: a request not answered in time gets 503 (as vertx-web's timeout
 * handler does). A route whose body is streamed ({@link ApiRouter#streamed}) disarms it: such a
 * body may take minutes on a slow network, and its handler bounds it with deadlines of its own.
 *
 * <p>One per router, so one per event loop: the deadlines are kept by {@link FixedTimeouts} (a FIFO
 * checked every tenth of the timeout, at most every 100 ms) rather than a timer per request, whose
 * scheduling and cancelling were a measurable part of every request's cost.
 */
public final class RequestTimeout implements PlatformHandler {
  private static final String DISARMED = "bulwark.requestTimeout.disarmed";

  private final FixedTimeouts timeouts;

  public RequestTimeout(Vertx vertx, long timeoutMs) {
    this.timeouts = new FixedTimeouts(vertx, timeoutMs);
  }

  @Override
  public void handle(RoutingContext ctx) {
    Deadline deadline = new Deadline(ctx);
    timeouts.add(deadline);
    ctx.addEndHandler(deadline);
    ctx.next();
  }

  /** Stops this request's timeout, if it has one that has not fired. */
  static void disarm(RoutingContext ctx) {
    ctx.put(DISARMED, Boolean.TRUE);
  }

  /** One request's deadline; forgets the request when it ends, so nothing keeps it reachable. */
  private static final class Deadline extends FixedTimeouts.Entry
      implements Handler<AsyncResult<Void>> {
    private RoutingContext ctx;

    Deadline(RoutingContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void handle(AsyncResult<Void> ended) {
      end();
      ctx = null;
    }

    @Override
    protected void expire() {
      RoutingContext timedOut = ctx;
      ctx = null;
      if (timedOut == null || timedOut.get(DISARMED) != null || timedOut.response().ended()) {
        return;
      }
      if (!timedOut.request().isEnded()) {
        timedOut.request().resume();
      }
      timedOut.fail(503);
    }
  }
}
