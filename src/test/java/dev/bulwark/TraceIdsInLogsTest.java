package dev.bulwark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import dev.bulwark.testing.Await;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * With tracing on, a JSON log line written inside a trace (on an event loop, as a handler writes
 * it) carries that trace's {@code trace_id} and {@code span_id}; a line outside any trace carries
 * none.
 */
class TraceIdsInLogsTest {
  @Test
  void aLineLoggedInsideATraceCarriesItsIds() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BatchedConsoleAppender appender =
        new BatchedConsoleAppender(encoder, out, LoggingSetup::addTraceIds);
    appender.setContext(context);
    appender.start();
    Logger logger = context.getLogger("bulwark.test.traceids");
    logger.setAdditive(false);
    logger.addAppender(appender);

    // as in the server: Vert.x built with the tracing factory, whose context local holds the span
    Vertx vertx =
        Vertx.builder().withTracer(new OpenTelemetryTracingFactory(OpenTelemetry.noop())).build();
    String[] traceId = new String[1];
    try {
      Promise<Void> logged = Promise.promise();
      // a duplicated context, as each HTTP request runs on: where Vert.x keeps the active span
      ((ContextInternal) vertx.getOrCreateContext())
          .duplicate()
          .runOnContext(
              v -> {
                traceId[0] = "4bf92f3577b34da6a3ce929d0e0e4736";
                Span span =
                    Span.wrap(
                        SpanContext.create(
                            traceId[0],
                            "00f067aa0ba902b7",
                            TraceFlags.getSampled(),
                            TraceState.getDefault()));
                try (Scope ignored = span.makeCurrent()) {
                  logger.info("inside");
                }
                logger.info("outside");
                logged.complete();
              });
      Await.result(logged.future());
    } finally {
      appender.stop();
      logger.detachAppender(appender);
      Await.result(vertx.close());
    }

    // stop() above wrote every queued line
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(2, lines.length);
    String inside = lines[0];
    String outside = lines[1];
    assertTrue(inside.contains("\"trace_id\":\"" + traceId[0] + "\""), inside);
    assertTrue(inside.contains("\"span_id\":\""), inside);
    assertFalse(outside.contains("trace_id"), outside);
  }
}
