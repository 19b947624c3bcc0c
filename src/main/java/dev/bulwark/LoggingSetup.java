package dev.bulwark;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.bulwark.config.LoggingConfig;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.marker.SingleFieldAppendingMarker;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Applies {@code logging.*} once the configuration is known: the level of Bulwark's loggers, and
 * JSON lines (staging/production) instead of the plain text {@code logback.xml} starts with.
 */
final class LoggingSetup {
  private LoggingSetup() {}

  static void apply(LoggingConfig config) {
    apply(config, false);
  }

  /**
   * As above; with {@code tracing} on, each JSON line logged inside a trace carries its {@code
   * trace_id} and {@code span_id}, so a log line leads to the trace and back.
   */
  static void apply(LoggingConfig config, boolean tracing) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Level level = Level.toLevel(config.level().name(), Level.INFO);
    context.getLogger("dev.bulwark").setLevel(level);
    context.getLogger("bulwark").setLevel(level);
    if (config.format() == LoggingConfig.Format.JSON) {
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      root.detachAndStopAllAppenders();
      root.addAppender(jsonAppender(context, tracing));
    }
  }

  private static AsyncAppender jsonAppender(LoggerContext context, boolean tracing) {
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("JSON");
    console.setEncoder(encoder);
    console.start();
    AsyncAppender async = tracing ? new TraceIdsAppender() : new AsyncAppender();
    async.setContext(context);
    async.setName("ASYNC_JSON");
    async.setQueueSize(8192);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(console);
    async.start();
    return async;
  }

  /**
   * Adds the current trace's ids to each event as key-value pairs (which the JSON encoder writes as
   * fields), on the logging thread: the queue's own thread would see no span.
   */
  static final class TraceIdsAppender extends AsyncAppender {
    @Override
    protected void preprocess(ILoggingEvent event) {
      SpanContext span = Span.current().getSpanContext();
      if (span.isValid() && event instanceof LoggingEvent e && !namesTraceId(e)) {
        e.addKeyValuePair(new KeyValuePair("trace_id", span.getTraceId()));
        e.addKeyValuePair(new KeyValuePair("span_id", span.getSpanId()));
      }
      super.preprocess(event);
    }

    /** The access log names the trace itself (its line is written after the span has ended). */
    private static boolean namesTraceId(LoggingEvent event) {
      Object[] args = event.getArgumentArray();
      if (args != null) {
        for (Object arg : args) {
          if (arg instanceof SingleFieldAppendingMarker m && m.getFieldName().equals("trace_id")) {
            return true;
          }
        }
      }
      return false;
    }
  }
}
