package dev.bulwark;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import dev.bulwark.config.LoggingConfig;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code logging.*} once the configuration is known: the level of Bulwark's loggers, and
 * the console appender that writes from then on ({@link BatchedConsoleAppender}: JSON lines in
 * staging/production, or the plain text {@code logback.xml} starts with).
 */
final class LoggingSetup {
  private static final String APPENDER = "CONSOLE_BATCHED";

  private LoggingSetup() {}

  static void apply(LoggingConfig config) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Level level = Level.toLevel(config.level().name(), Level.INFO);
    context.getLogger("dev.bulwark").setLevel(level);
    context.getLogger("bulwark").setLevel(level);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    Encoder<ILoggingEvent> encoder =
        config.format() == LoggingConfig.Format.JSON ? json(context) : text(context);
    BatchedConsoleAppender console = new BatchedConsoleAppender(encoder, System.out);
    console.setContext(context);
    console.setName(APPENDER);
    console.start();
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
}
