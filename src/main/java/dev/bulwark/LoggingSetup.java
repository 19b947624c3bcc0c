package dev.bulwark;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import dev.bulwark.config.LoggingConfig;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.function.Consumer;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.marker.SingleFieldAppendingMarker;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Applies {@code logging.*} once the configuration is known: the level of Bulwark's loggers, and
 * the console appender that writes from then on ({@link BatchedConsoleAppender}: JSON lines in
 * staging/production, or the plain text {@code logback.xml} starts with).
 */
final class LoggingSetup {
  private static final String APPENDER = "CONSOLE_BATCHED";

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
    boolean json = config.format() == LoggingConfig.Format.JSON;
    Encoder<ILoggingEvent> encoder = json ? json(context) : text(context);
    Consumer<ILoggingEvent> onLoggingThread =
        json && tracing ? LoggingSetup::addTraceIds : event -> {};
    BatchedConsoleAppender console =
        new BatchedConsoleAppender(encoder, System.out, onLoggingThread);
    console.setContext(context);
    console.setName(APPENDER);
    console.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.detachAndStopAllAppenders();
    root.addAppender(console);
  }

  private static Encoder<ILoggingEvent> json(LoggerContext context) {
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.start();
    return encoder;
  }

  /** The plain-text line of {@code logback.xml}, which logs until the configuration is known. */
  private static Encoder<ILoggingEvent> text(LoggerContext context) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n");
    encoder.start();
    return encoder;
  }

  /**
   * Adds the current trace's ids to an event as key-value pairs (which the JSON encoder writes as
   * fields), on the logging thread: the writer thread would see no span.
   */
  static void addTraceIds(ILoggingEvent event) {
    SpanContext span = Span.current().getSpanContext();
    if (span.isValid() && event instanceof LoggingEvent e && !namesTraceId(e)) {
      e.addKeyValuePair(new KeyValuePair("trace_id", span.getTraceId()));
      e.addKeyValuePair(new KeyValuePair("span_id", span.getSpanId()));
    }
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
