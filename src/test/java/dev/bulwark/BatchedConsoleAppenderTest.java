package dev.bulwark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.bulwark.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BatchedConsoleAppenderTest {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  @Test
  void everyLineFromManyThreadsIsWrittenInEachThreadsOrderByTheTimeStopReturns() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    BatchedConsoleAppender appender = started(sink);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      String name = "t" + t;
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 1000; i++) {
                  appender.doAppend(event(name + " " + i));
                }
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread t : threads) {
      t.join();
    }
    appender.stop();

    String[] lines = sink.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(4000, lines.length);
    for (int t = 0; t < 4; t++) {
      int next = 0;
      for (String line : lines) {
        if (line.startsWith("t" + t + " ")) {
          assertEquals("t" + t + " " + next, line, "lines of one thread keep their order");
          next++;
        }
      }
      assertEquals(1000, next);
    }
  }

  @Test
  void aFullQueueDropsNewLinesWithoutBlockingAndSaysHowManyWereLost() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    BatchedConsoleAppender appender = new BatchedConsoleAppender(encoder(), sink);
    appender.setContext(context);
    // the writer is not running yet, so nothing drains while the queue fills
    for (int i = 0; i < BatchedConsoleAppender.CAPACITY + 25; i++) {
      appender.append(event("line " + i));
    }
    LogCapture capture = LogCapture.attach();
    try {
      appender.start();
      appender.stop();
      String[] lines = sink.toString(StandardCharsets.UTF_8).split("\n");
      assertEquals(BatchedConsoleAppender.CAPACITY, lines.length);
      assertEquals("line " + (BatchedConsoleAppender.CAPACITY - 1), lines[lines.length - 1]);
      assertTrue(
          capture.lines().stream().anyMatch(l -> l.contains("log queue full: 25 line(s) dropped")),
          capture.lines().toString());
    } finally {
      capture.detach();
    }
  }

  private BatchedConsoleAppender started(ByteArrayOutputStream sink) {
    BatchedConsoleAppender appender = new BatchedConsoleAppender(encoder(), sink);
    appender.setContext(context);
    appender.start();
    return appender;
  }

  private PatternLayoutEncoder encoder() {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    return encoder;
  }

  private ILoggingEvent event(String message) {
    return new LoggingEvent(
        "test", context.getLogger("bulwark.test"), Level.INFO, message, null, null);
  }
}
