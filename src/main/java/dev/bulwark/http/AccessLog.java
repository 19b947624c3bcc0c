package dev.bulwark.http;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on the {@code bulwark.access} logger: method, path, status, duration,
 * request id, and the trace id when the request is traced.
 */
public final class AccessLog implements PlatformHandler {
  private static final Logger log = LoggerFactory.getLogger("bulwark.access");

  @Override
  public void handle(RoutingContext ctx) {
    if (log.isInfoEnabled()) {
      long start = System.nanoTime();
      ctx.addEndHandler(
          done -> {
            String traceId = Telemetry.traceId(ctx);
            if (traceId == null) {
              log.info(
                  "{} {} {} {} {}",
                  kv("method", ctx.request().method().name()),
                  kv("path", ctx.request().path()),
                  kv("status", ctx.response().getStatusCode()),
                  kv("duration_ms", (System.nanoTime() - start) / 1_000_000.0),
                  kv("request_id", RequestIds.of(ctx)));
            } else {
              log.info(
                  "{} {} {} {} {} {}",
                  kv("method", ctx.request().method().name()),
                  kv("path", ctx.request().path()),
                  kv("status", ctx.response().getStatusCode()),
                  kv("duration_ms", (System.nanoTime() - start) / 1_000_000.0),
                  kv("request_id", RequestIds.of(ctx)),
                  kv("trace_id", traceId));
            }
          });
    }
    ctx.next();
  }
}
