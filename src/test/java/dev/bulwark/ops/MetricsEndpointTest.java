package dev.bulwark.ops;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} is not an attack surface: bounded series, a token or a port of its own, and
 * truly off when off.
 */
class MetricsEndpointTest {
  private static final String TOKEN = "metrics-token-7f3a9c1e5b2d8a4f6e0c";

  /** The series in a scrape: each sample line's name and labels, without its value. */
  private static Set<String> series(String scrape) {
    Set<String> out = new java.util.TreeSet<>();
    scrape
        .lines()
        .filter(l -> !l.startsWith("#") && !l.isBlank())
        .forEach(l -> out.add(l.substring(0, l.lastIndexOf(' '))));
    return out;
  }

  @Test
  void madeUpMethodNamesAreCountedAsOtherAndMintNoSeries() {
    try (TestServer server = TestServer.start()) {
      // every standard outcome once, so the scrape below only grows by what the made-up methods add
      server.send(server.request(HttpMethod.valueOf("BREW"), "/api/status"));
      server.send(server.request(HttpMethod.valueOf("BREW"), "/no/such/path"));
      server.get("/metrics");
      Set<String> before = series(server.get("/metrics").bodyAsString());

      Random random = new Random(42);
      Set<String> sent = new HashSet<>();
      for (int i = 0; i < 50; i++) {
        StringBuilder name = new StringBuilder("X");
        for (int c = 0; c < 8; c++) {
          name.append((char) ('A' + random.nextInt(26)));
        }
        sent.add(name.toString());
        HttpResponse<Buffer> r =
            server.send(
                server.request(
                    HttpMethod.valueOf(name.toString()),
                    i % 2 == 0 ? "/api/status" : "/no/such/path"));
        assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, name + " -> " + r.statusCode());
      }

      String scrape = server.get("/metrics").bodyAsString();
      for (String name : sent) {
        assertFalse(scrape.contains(name), name + " became a label value");
      }
      assertTrue(scrape.contains("method=\"OTHER\""), "made-up methods are counted under OTHER");
      Set<String> added = series(scrape);
      added.removeAll(before);
      added.removeIf(
          s -> s.startsWith("jvm_") || s.startsWith("process_") || s.startsWith("system_"));
      assertTrue(added.isEmpty(), "50 made-up methods added series: " + added);
    }
  }

  /** The value of the sample line that starts with {@code series}, or 0 when there is none. */
  private static double value(String scrape, String series) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
  }

  @Test
  void requestsAreCountedAndTimedByRouteTemplateMethodAndStatusAndConnectionsAreCounted() {
    try (TestServer server = TestServer.start()) {
      String user = "/api/v1/tasks/" + java.util.UUID.randomUUID();
      server.get(user); // 401: no token
      server.send(server.request(HttpMethod.HEAD, "/api/status"));
      server.get("/no/such/path");
      server.get("/no/other/path");
      String scrape = server.get("/metrics").bodyAsString();

      String tasks = "route=\"/api/v1/tasks/:id\"";
      assertEquals(
          1,
          value(
              scrape,
              "vertx_http_server_requests_total{code=\"401\",method=\"GET\"," + tasks + "}"),
          "the template labels the request, never its path");
      assertFalse(scrape.contains(user), "a raw path became a label");
      assertEquals(
          1,
          value(
              scrape,
              "vertx_http_server_response_time_seconds_count{code=\"401\",method=\"GET\","
                  + tasks
                  + "}"));
      assertEquals(
          1,
          value(
              scrape,
              "vertx_http_server_requests_total{code=\"200\",method=\"HEAD\",route=\"/api/status\"}"),
          "a HEAD answered by a GET route keeps its method");
      assertEquals(
          2,
          value(scrape, "vertx_http_server_requests_total{code=\"404\",method=\"GET\",route=\"\"}"),
          "requests no route matched share the empty route label");
      assertTrue(
          scrape.contains(
              "vertx_http_server_response_time_seconds_bucket{code=\"404\",method=\"GET\",route=\"\",le="),
          "latency has histogram buckets (for p50/p99)");
      assertTrue(
          value(scrape, "vertx_http_server_active_connections") >= 1,
          "the connection this scrape came on is open");
      assertEquals(
          1,
          value(scrape, "vertx_http_server_active_requests"),
          "the scrape itself is the one request in flight");
    }
  }

  /**
   * Micrometer warns once per JVM about a gauge registered twice, then logs it at DEBUG: listening
   * at DEBUG sees every notice, whichever test started a server first. Vert.x registers some gauges
   * again on purpose (event-bus consumers, pools and clients sharing an id), so the notice is
   * filtered where logging is configured — in the server's logback.xml as in the tests'.
   */
  @Test
  void aServerStartAndItsLoginsLogNoRepeatedGaugeNotice() throws Exception {
    try (var in = MetricsEndpointTest.class.getResourceAsStream("/logback.xml")) {
      assertTrue(
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              .contains("<turboFilter class=\"dev.bulwark.infra.RepeatedGaugeNotice\"/>"),
          "the server's logging configuration filters the notice");
    }
    Logger registryLog = (Logger) LoggerFactory.getLogger(MeterRegistry.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    Level saved = registryLog.getLevel();
    registryLog.setLevel(Level.DEBUG);
    lines.start();
    registryLog.addAppender(lines);
    try (TestServer server = TestServer.start()) {
      TestUsers.signup(server);
      assertEquals(200, server.get("/metrics").statusCode());
    } finally {
      registryLog.detachAppender(lines);
      registryLog.setLevel(saved);
    }
    assertEquals(
        List.of(),
        lines.list.stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(m -> m.contains("already registered"))
            .toList());
  }

  private static double problems(String scrape, String status, String code) {
    return scrape
        .lines()
        .filter(
            l ->
                l.startsWith("bulwark_problems_total{")
                    && l.contains("code=\"" + code + "\"")
                    && l.contains("status=\"" + status + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void problemResponsesAreCountedByStatusAndCode() {
    try (TestServer server = TestServer.start()) {
      server.get("/no/such/path/warm-up");
      String before = server.get("/metrics").bodyAsString();
      for (int i = 0; i < 3; i++) {
        assertProblem(server.get("/no/such/path"), 404, "not_found");
      }
      assertProblem(
          server.send(server.request(HttpMethod.GET, "/api/v1/me")), 401, "missing_token");
      String after = server.get("/metrics").bodyAsString();
      assertTrue(
          problems(after, "404", "not_found") - problems(before, "404", "not_found") >= 3, after);
      assertTrue(problems(after, "401", "missing_token") >= 1, after);
    }
  }

  @Test
  void aTokenGuardsMetricsOnTheApiPort() {
    Map<String, String> env = TestServer.baseEnv();
    env.put("METRICS_TOKEN", TOKEN);
    try (TestServer server = TestServer.start(env, Map.of())) {
      HttpResponse<Buffer> none = server.get("/metrics");
      assertProblem(none, 401, "missing_token");
      assertNotNull(none.getHeader("WWW-Authenticate"));
      assertFalse(none.bodyAsString().contains("jvm_"), "no metrics in the refusal");
      assertProblem(
          server.send(
              server
                  .request(HttpMethod.GET, "/metrics")
                  .putHeader("Authorization", "Bearer " + TOKEN + "x")),
          401,
          "invalid_metrics_token");
      assertProblem(
          server.send(
              server
                  .request(HttpMethod.GET, "/metrics")
                  .putHeader("Authorization", "Bearer " + TOKEN.substring(1))),
          401,
          "invalid_metrics_token");
      assertProblem(
          server.send(
              server
                  .request(HttpMethod.GET, "/metrics")
                  .putHeader("Authorization", "Basic " + TOKEN)),
          401,
          "invalid_metrics_token");

      HttpResponse<Buffer> ok =
          server.send(
              server
                  .request(HttpMethod.GET, "/metrics")
                  .putHeader("Authorization", "bearer " + TOKEN));
      assertEquals(200, ok.statusCode(), ok.bodyAsString());
      assertTrue(ok.bodyAsString().contains("jvm_memory_used_bytes"));
    }
  }

  @Test
  void aManagementPortServesMetricsOnlyThereAndTheTokenStillApplies() {
    int management = TestServices.freePort();
    Map<String, String> env = TestServer.baseEnv();
    env.put("METRICS_PORT", Integer.toString(management));
    env.put("METRICS_TOKEN", TOKEN);
    try (TestServer server = TestServer.start(env, Map.of())) {
      assertProblem(server.get("/metrics"), 404, "not_found");
      WebClient client = WebClient.create(server.vertx());
      try {
        HttpResponse<Buffer> refused =
            Await.result(client.get(management, "127.0.0.1", "/metrics").send());
        assertEquals(401, refused.statusCode());
        HttpResponse<Buffer> ok =
            Await.result(
                client
                    .get(management, "127.0.0.1", "/metrics")
                    .putHeader("Authorization", "Bearer " + TOKEN)
                    .send());
        assertEquals(200, ok.statusCode());
        assertTrue(ok.bodyAsString().contains("bulwark_hasher_outstanding"));
      } finally {
        client.close();
      }
    }
  }

  @Test
  void disabledMeansNoRegistryNoMetersNoEndpoint() {
    try (TestServer server =
        TestServer.start(TestServer.baseEnv(), Map.of("metrics.enabled", "false"))) {
      server.get("/api/status");
      assertProblem(server.get("/metrics"), 404, "not_found");
      assertFalse(server.vertx().isMetricsEnabled(), "Vert.x records nothing");
      assertNull(
          BackendRegistries.getNow(server.app().metricsRegistry()), "no registry was created");
    }
  }
}
