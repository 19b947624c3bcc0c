package dev.bulwark.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Every log line this JVM writes while attached, as it would be written (message, arguments,
 * throwable), so a test can search the logs of a whole run.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> {
  private final List<String> lines = new ArrayList<>();

  public static LogCapture attach() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LogCapture capture = new LogCapture();
    capture.setContext(context);
    capture.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(capture);
    return capture;
  }

  public void detach() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(this);
    stop();
  }

  @Override
  protected synchronized void append(ILoggingEvent e) {
    StringBuilder line = new StringBuilder(e.getLoggerName()).append(' ');
    line.append(e.getFormattedMessage());
    if (e.getArgumentArray() != null) {
      for (Object arg : e.getArgumentArray()) {
        line.append(' ').append(arg);
      }
    }
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      line.append(' ').append(t.getClassName()).append(": ").append(t.getMessage());
    }
    lines.add(line.toString());
  }

  public synchronized List<String> lines() {
    return List.copyOf(lines);
  }
}
