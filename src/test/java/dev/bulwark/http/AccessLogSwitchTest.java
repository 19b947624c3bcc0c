package dev.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.bulwark.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code http.accessLog} does what conf/application.yaml says: one line per request when on, none
 * when off.
 */
class AccessLogSwitchTest {
  private final Logger access = (Logger) LoggerFactory.getLogger("bulwark.access");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private Level saved;

  @BeforeEach
  void capture() {
    saved = access.getLevel();
    access.setLevel(Level.INFO);
    lines.start();
    access.addAppender(lines);
  }

  @AfterEach
  void release() {
    access.detachAppender(lines);
    access.setLevel(saved);
  }

  private List<String> linesFor(String path) {
    return lines.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains(path))
        .toList();
  }

  @Test
  void onByDefaultOneLinePerRequest() {
    try (TestServer server = TestServer.start()) {
      server.get("/api/status?on");
      server.get("/health");
    }
    List<String> status = linesFor("/api/status");
    assertEquals(1, status.size(), lines.list::toString);
    assertTrue(
        status.get(0).contains("status=200") && status.get(0).contains("request_id="),
        status::toString);
  }

  @Test
  void offWritesNoAccessLines() {
    try (TestServer server =
        TestServer.start(TestServer.baseEnv(), Map.of("http.accessLog", "false"))) {
      assertEquals(200, server.get("/api/status").statusCode());
      assertEquals(404, server.get("/nothing/here").statusCode());
    }
    assertEquals(List.of(), lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
  }
}
