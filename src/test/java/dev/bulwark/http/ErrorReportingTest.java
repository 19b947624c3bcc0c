package dev.bulwark.http;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.ErrorReportingConfig;
import dev.bulwark.core.FailureReporter;
import dev.bulwark.infra.SentryReporter;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.StandInSentry;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Unexpected failures reach the error reporter (a stand-in Sentry over real HTTP): a 500 injected
 * through a failing dependency (a PostgreSQL trigger in a database of this class's own) arrives
 * once, tagged with release, environment, route and request id, and scrubbed; a reporter that
 * answers 500 or never answers fails no request; reports beyond the per-minute budget are counted,
 * not sent.
 */
class ErrorReportingTest {
  private static StandInSentry sentry;
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    sentry = new StandInSentry();
    String database = TestServices.get().freshDatabaseUrl();
    Map<String, String> env = TestServer.baseEnv();
    env.put("DATABASE_URL", database);
    env.put("SENTRY_DSN", sentry.dsn());
    server = TestServer.start(env, Map.of());
    try (Connection c = TestServices.get().jdbc(database);
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE FUNCTION injected_failure() RETURNS trigger AS $$ BEGIN"
              + " IF NEW.title = 'boom' THEN"
              + " RAISE EXCEPTION 'injected failure for %', NEW.notes USING ERRCODE = 'XX000';"
              + " END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
      s.execute(
          "CREATE TRIGGER injected_failure BEFORE INSERT ON tasks"
              + " FOR EACH ROW EXECUTE FUNCTION injected_failure()");
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (sentry != null) {
      sentry.close();
    }
  }

  /** A task whose insert the trigger fails: the user's email travels in the failure's message. */
  private static HttpResponse<Buffer> injected500(TestUser user) {
    HttpResponse<Buffer> r =
        server.send(
            TestUsers.as(server, user, HttpMethod.POST, "/api/v1/tasks"),
            new JsonObject().put("title", "boom").put("notes", user.email()));
    assertProblem(r, 500, "internal_error");
    return r;
  }

  private static List<StandInSentry.Event> eventsFor(String requestId) {
    return sentry.events.stream().filter(e -> requestId.equals(e.tag("request_id"))).toList();
  }

  @Test
  void anInjected500ReachesTheReporterOnceScrubbed() {
    TestUser user = TestUsers.signup(server);
    String first = injected500(user).bodyAsJsonObject().getString("request_id");
    String second = injected500(user).bodyAsJsonObject().getString("request_id");
    // reports leave in order on one thread each: once the second is in, the first had its chance
    Await.until(() -> eventsFor(second).isEmpty() ? null : true);

    List<StandInSentry.Event> events = eventsFor(first);
    assertEquals(1, events.size(), "one report per 500");
    StandInSentry.Event event = events.get(0);
    assertEquals("/api/v1/tasks", event.tag("route"));
    assertEquals("POST", event.tag("method"));
    assertEquals("http", event.tag("source"));
    assertTrue(event.json().getString("release").startsWith("bulwark@"), event.json().encode());
    assertEquals("development", event.json().getString("environment"));
    assertNull(event.json().getValue("request"), "no request: no body, no headers");
    assertNull(event.json().getValue("user"));
    String exception = event.json().encode();
    assertTrue(exception.contains("injected failure for [email]"), exception);
    for (String secret :
        List.of(user.email(), user.accessToken(), user.password(), "Authorization", "Cookie")) {
      assertFalse(event.envelope().contains(secret), "the report carries " + secret);
    }
    assertTrue(
        server
            .get("/metrics")
            .bodyAsString()
            .contains("bulwark_error_reports_total{outcome=\"sent\""));
  }

  @Test
  void aReporterThatFailsOrHangsFailsNoRequest() {
    TestUser user = TestUsers.signup(server);
    try {
      for (int behaviour : new int[] {500, StandInSentry.HANG}) {
        sentry.behaviour = behaviour;
        for (int i = 0; i < 3; i++) {
          injected500(user);
          HttpResponse<Buffer> list =
              server.send(TestUsers.as(server, user, HttpMethod.GET, "/api/v1/tasks"));
          assertEquals(200, list.statusCode(), list.bodyAsString());
        }
      }
    } finally {
      sentry.behaviour = 200;
    }
  }

  @Test
  void reportsBeyondTheBudgetAreCountedNotSent() {
    FailureReporter reporter =
        SentryReporter.create(new ErrorReportingConfig(sentry.dsn(), "budget", "r1", 2), "test");
    try {
      for (int i = 0; i < 5; i++) {
        reporter.report(new IllegalStateException("budget " + i), "test", Map.of("budget", "b"));
      }
      long[] totals = ((SentryReporter) reporter).totals();
      assertEquals(3, totals[1], "three over the budget of two a minute");
      Await.until(
          () ->
              sentry.events.stream().filter(e -> "b".equals(e.tag("budget"))).count() == 2
                  ? true
                  : null);
    } finally {
      SentryReporter.close(reporter);
    }
  }
}
