package dev.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Promise;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which failures a client may retry (503 + Retry-After) and which are bugs (500). */
class ProblemHandlerTest {

  @Test
  void overloadAndDependencyBlipsAre503() {
    for (Throwable t :
        new Throwable[] {
          new VertxException(
              "Timeout waiting for connection", true), // the SQL pool's wait timed out
          new ConnectionPoolTooBusyException("wait queue full"),
          vertxTimeout(), // Future.timeout() expiring
          new ConnectException("Connection refused"),
          new ReplyException(ReplyFailure.TIMEOUT, "Timed out after waiting 10000(ms) for a reply"),
          new PgException("could not serialize access", "ERROR", "40001", null),
          new PgException("too many connections", "FATAL", "53300", null),
          new RuntimeException(
              "wrapped", new VertxException("Timeout waiting for connection", true))
        }) {
      assertTrue(ProblemHandler.isTransient(t), t.toString());
      ProblemHandler.Problem problem = ProblemHandler.toProblem(500, t);
      assertEquals(503, problem.status(), t.toString());
      assertEquals("service_unavailable", problem.code());
      assertEquals(1, problem.retryAfterSeconds());
    }
  }

  /**
   * What Vert.x fails a future with when its timeout expires (an internal class, reached through
   * public API).
   */
  private static Throwable vertxTimeout() {
    try {
      Promise.<Void>promise().future().timeout(1, TimeUnit.MILLISECONDS).await();
      throw new AssertionError("the future should have timed out");
    } catch (Exception e) {
      return e;
    }
  }

  @Test
  void bugsStay500WithoutTheirMessage() {
    for (Throwable t :
        new Throwable[] {
          new NullPointerException("secret internal detail"),
          new VertxException("something else broke", true),
          new PgException("syntax error", "ERROR", "42601", null),
          new ReplyException(ReplyFailure.RECIPIENT_FAILURE, "boom")
        }) {
      assertFalse(ProblemHandler.isTransient(t), t.toString());
      ProblemHandler.Problem problem = ProblemHandler.toProblem(500, t);
      assertEquals(500, problem.status());
      assertFalse(
          String.valueOf(problem.detail()).contains("secret"), "never echoes an internal message");
    }
  }
}
