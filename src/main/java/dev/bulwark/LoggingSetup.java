package dev.bulwark;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import dev.bulwark.config.LoggingConfig;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code logging.*} once the configuration is known: the level of Bulwark's loggers, and
 * JSON lines (staging/production) instead of the plain text {@code logback.xml} starts with.
 */
final class LoggingSetup {
  private LoggingSetup() {}

  static void apply(LoggingConfig config) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Level level = Level.toLevel(config.level().name(), Level.INFO);
    context.getLogger("dev.bulwark").setLevel(level);
    context.getLogger("bulwark").setLevel(level);
    if (config.format() == LoggingConfig.Format.JSON) {
      Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
      root.detachAndStopAllAppenders();
      root.addAppender(jsonAppender(context));
    }
  }

  private static AsyncAppender jsonAppender(LoggerContext context) {
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("JSON");
    console.setEncoder(encoder);
    console.start();
    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName("ASYNC_JSON");
    async.setQueueSize(8192);
    async.setDiscardingThreshold(0);
    async.setNeverBlock(true);
    async.addAppender(console);
    async.start();
    return async;
  }
}
