package dev.bulwark.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.LogCapture;
import dev.bulwark.testing.OtlpReceiver;
import dev.bulwark.testing.OtlpReceiver.ReceivedSpan;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Traces as an OTLP collector (an in-process receiver, over real HTTP) sees them: one authenticated
 * list request is a server span named by its route template with the gate's Redis call and the list
 * query as children; {@code traceparent} is honoured from a trusted proxy (127.0.0.1 here) and
 * ignored from anyone else (127.0.0.2); nothing secret leaves in an attribute; a collector that
 * hangs costs spans, counted, and no request.
 */
class TracingTest {
  private static OtlpReceiver collector;
  private static TestServer server;

  @BeforeAll
  static void start() {
    collector = new OtlpReceiver();
    Map<String, String> env = TestServer.baseEnv();
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint());
    env.put("OTEL_SERVICE_NAME", "bulwark-under-test");
    env.put("RATE_LIMIT_TRUSTED_PROXIES", "127.0.0.1/32");
    server =
        TestServer.start(
            env, Map.of("tracing.scheduleDelay", "50ms", "tracing.exportTimeout", "1s"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (collector != null) {
      collector.close();
    }
  }

  private static String newTraceId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  private static String traceparent(String traceId, String parentSpanId) {
    return "00-" + traceId + "-" + parentSpanId + "-01";
  }

  @Test
  void anAuthenticatedListIsOneTraceOfServerRedisAndPostgres() {
    TestUser user = TestUsers.signup(server);
    String traceId = newTraceId();
    String parent = "00f067aa0ba902b7";
    HttpResponse<Buffer> r =
        server.send(
            TestUsers.as(server, user, HttpMethod.GET, "/api/v1/tasks?limit=5&status=todo")
                .putHeader("traceparent", traceparent(traceId, parent)));
    assertEquals(200, r.statusCode(), r.bodyAsString());

    List<ReceivedSpan> trace =
        Await.until(
            () -> {
              List<ReceivedSpan> t = collector.trace(traceId);
              return t.size() >= 3 ? t : null;
            });
    trace.forEach(System.out::println);
    ReceivedSpan root =
        trace.stream().filter(s -> s.parentSpanId().equals(parent)).findFirst().orElseThrow();
    assertEquals("GET /api/v1/tasks", root.name());
    assertEquals("SPAN_KIND_SERVER", root.kind());
    assertEquals("bulwark-under-test", root.serviceName());
    ReceivedSpan redis =
        trace.stream()
            .filter(s -> "redis".equals(s.attributes().get("db.system")))
            .findFirst()
            .orElseThrow();
    ReceivedSpan postgres =
        trace.stream()
            .filter(s -> "postgresql".equals(s.attributes().get("db.system")))
            .findFirst()
            .orElseThrow();
    assertEquals(root.spanId(), redis.parentSpanId(), "the gate's Redis call is the request's");
    assertEquals(root.spanId(), postgres.parentSpanId(), "the list query is the request's");
    assertTrue(redis.startNanos() <= postgres.startNanos(), "the gate runs before the feature");

    for (ReceivedSpan s : collector.spans) {
      for (String key : List.of("url.full", "http.url", "http.target", "url.query")) {
        assertFalse(s.attributes().containsKey(key), s.name() + " carries " + key);
      }
      String all = s.attributes().values() + " " + s.events() + " " + s.name();
      for (String secret :
          List.of(user.accessToken(), user.email(), user.password(), "limit=5", "status=todo")) {
        assertFalse(all.contains(secret), s.name() + " carries " + secret + ": " + all);
      }
    }
  }

  @Test
  void aTraceparentFromAnUntrustedPeerStartsANewTrace() {
    String traceId = newTraceId();
    WebClient untrusted =
        WebClient.create(
            server.vertx(),
            new WebClientOptions()
                .setLocalAddress("127.0.0.2")
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(server.port()));
    try {
      HttpResponse<Buffer> r =
          Await.result(
              untrusted
                  .get("/openapi.yaml")
                  .putHeader("traceparent", traceparent(traceId, "00f067aa0ba902b7"))
                  .send());
      assertEquals(200, r.statusCode());
    } finally {
      untrusted.close();
    }
    ReceivedSpan status =
        Await.until(
            () ->
                collector.spans.stream()
                    .filter(s -> s.name().equals("GET /openapi.yaml"))
                    .findFirst()
                    .orElse(null));
    assertNotEquals(traceId, status.traceId());
    assertEquals("", status.parentSpanId(), "a root span of its own");
    assertTrue(collector.trace(traceId).isEmpty());
  }

  @Test
  void theProblemBodyAndTheAccessLogCarryTheTraceId() {
    String traceId = newTraceId();
    LogCapture logs = LogCapture.attach();
    // the test configuration quiets the access log; this test reads it
    Logger access = (Logger) LoggerFactory.getLogger("bulwark.access");
    Level level = access.getLevel();
    access.setLevel(Level.INFO);
    HttpResponse<Buffer> r;
    try {
      r =
          server.send(
              server
                  .request(HttpMethod.GET, "/api/v1/no-such-thing")
                  .putHeader("traceparent", traceparent(traceId, "00f067aa0ba902b7")));
      String requestId = r.bodyAsJsonObject().getString("request_id");
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
      }
      logs.lines().stream()
          .filter(l -> l.contains("access"))
          .forEach(l -> System.out.println("ACCESS " + l + " want " + requestId));
      Await.until(
          () ->
              logs.lines().stream()
                  .filter(l -> l.startsWith("bulwark.access") && l.contains(requestId))
                  .findFirst()
                  .map(l -> l.contains("trace_id=" + traceId) ? l : null)
                  .orElse(null));
    } finally {
      access.setLevel(level);
      logs.detach();
    }
    assertEquals(404, r.statusCode());
    assertEquals(traceId, r.bodyAsJsonObject().getString("trace_id"));
  }

  @Test
  void aLoginTracesTheBcryptHandOff() {
    TestUser user = TestUsers.signup(server);
    String traceId = newTraceId();
    HttpResponse<Buffer> r =
        server.send(
            server
                .request(HttpMethod.POST, "/api/v1/auth/login")
                .putHeader("traceparent", traceparent(traceId, "00f067aa0ba902b7")),
            new io.vertx.core.json.JsonObject()
                .put("email", user.email())
                .put("password", user.password()));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    // waited for by name: the hasher worker's span is a server span too, and it ends (and may be
    // exported) before the login's
    ReceivedSpan root =
        Await.until(
            () ->
                collector.trace(traceId).stream()
                    .filter(s -> s.name().equals("POST /api/v1/auth/login"))
                    .findFirst()
                    .orElse(null));
    assertEquals("SPAN_KIND_SERVER", root.kind());
    ReceivedSpan handOff =
        Await.until(
            () ->
                collector.trace(traceId).stream()
                    .filter(
                        s ->
                            "bulwark.hasher"
                                .equals(s.attributes().get("messaging.destination.name")))
                    .filter(s -> s.kind().equals("SPAN_KIND_CLIENT"))
                    .findFirst()
                    .orElse(null));
    assertEquals(root.spanId(), handOff.parentSpanId(), "the bcrypt hand-off is the login's");
    ReceivedSpan work =
        Await.until(
            () ->
                collector.trace(traceId).stream()
                    .filter(s -> s.parentSpanId().equals(handOff.spanId()))
                    .findFirst()
                    .orElse(null));
    assertEquals("SPAN_KIND_SERVER", work.kind(), "the worker's side of the hand-off");
  }

  @Test
  void malformedOrOversizedTraceHeadersAreNeverA5xx() {
    for (String bad :
        List.of(
            "00-zz-yy-01", "garbage", "00-" + "0".repeat(32) + "-" + "0".repeat(16) + "-01", "")) {
      HttpResponse<Buffer> r =
          server.send(server.request(HttpMethod.GET, "/api/status").putHeader("traceparent", bad));
      assertEquals(200, r.statusCode(), "traceparent " + bad);
    }
    String traceId = newTraceId();
    // over a client of its own: the server may answer 431 or close the connection (see
    // HardeningTest)
    HttpClient own = server.vertx().createHttpClient();
    try {
      RequestOptions options =
          new RequestOptions()
              .setHost("127.0.0.1")
              .setPort(server.port())
              .setURI("/api/status")
              .putHeader("traceparent", traceparent(traceId, "00f067aa0ba902b7"))
              .putHeader("tracestate", "k=" + "v".repeat(10 * 1024));
      int status =
          Await.result(
              own.request(options).compose(req -> req.send()).map(resp -> resp.statusCode()));
      assertTrue(status == 431 || status == 400, "a 10 KB tracestate: " + status);
    } catch (Exception e) {
      assertTrue(
          String.valueOf(e).contains("closed") || String.valueOf(e.getCause()).contains("reset"),
          "refused by closing the connection, or with a 4xx: " + e);
    } finally {
      own.close();
    }
    HttpResponse<Buffer> fits =
        server.send(
            server
                .request(HttpMethod.GET, "/api/status")
                .putHeader("traceparent", traceparent(traceId, "00f067aa0ba902b7"))
                .putHeader("tracestate", "k=" + "v".repeat(6 * 1024)));
    assertEquals(
        200, fits.statusCode(), "a tracestate within the header limit is ignored past 512");
  }

  @Test
  void aCollectorThatHangsCostsSpansCountedAndNoRequest() {
    try {
      collector.behaviour = OtlpReceiver.HANG;
      for (int i = 0; i < 3; i++) {
        assertEquals(200, server.get("/api/status").statusCode());
      }
      Await.until(() -> dropped() > 0 ? true : null);
      assertEquals(200, server.get("/health").statusCode());
    } finally {
      collector.behaviour = 200;
    }
  }

  private static double dropped() {
    for (String line : server.get("/metrics").bodyAsString().split("\n")) {
      if (line.startsWith("bulwark_trace_spans_total{outcome=\"dropped\"")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }
}
