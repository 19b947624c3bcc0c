package dev.bulwark.ops;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

@BulwarkTest
class ServerBasicsTest {
  @BulwarkTest.Server private static TestServer server;

  @Test
  void healthAnswersWithoutTouchingDependencies() {
    HttpResponse<Buffer> r = server.get("/health");
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.getHeader("Content-Type"));
    assertEquals("UP", r.bodyAsJsonObject().getString("status"));
  }

  @Test
  void readyReportsEachDependencyWithLatency() {
    HttpResponse<Buffer> r = server.get("/ready");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject body = r.bodyAsJsonObject();
    assertEquals("UP", body.getString("status"));
    for (String check : new String[] {"postgres", "redis"}) {
      JsonObject c = body.getJsonObject("checks").getJsonObject(check);
      assertNotNull(c, check);
      assertEquals("UP", c.getString("status"));
      assertTrue(c.getDouble("latency_ms") >= 0, check + " latency");
    }
  }

  @Test
  void statusNamesVersionEnvironmentAndFeatures() {
    JsonObject body = server.get("/api/status").bodyAsJsonObject();
    assertEquals("bulwark", body.getString("name"));
    assertEquals("0.1.0", body.getString("version"));
    assertEquals("development", body.getString("environment"));
    assertTrue(body.getLong("uptime_seconds") >= 0);
    JsonObject features = body.getJsonObject("features");
    assertEquals(Boolean.TRUE, features.getBoolean("rate_limit"));
    assertEquals(Boolean.TRUE, features.getBoolean("docs"));
    assertEquals(Boolean.FALSE, features.getBoolean("embedded_services"));
  }

  @Test
  void unknownRouteIsProblemJson404() {
    assertProblem(server.get("/no/such/route"), 404, "not_found");
  }

  @Test
  void wrongMethodIs405WithAllow() {
    HttpResponse<Buffer> r = server.send(server.request(HttpMethod.DELETE, "/health"));
    assertProblem(r, 405, "method_not_allowed");
    assertEquals("GET, HEAD, OPTIONS", r.getHeader("Allow"));
  }

  @Test
  void plainOptionsListsTheAllowedMethods() {
    HttpResponse<Buffer> r = server.send(server.request(HttpMethod.OPTIONS, "/api/v1/me"));
    assertEquals(204, r.statusCode());
    assertEquals("DELETE, GET, HEAD, PATCH, OPTIONS", r.getHeader("Allow"));
    assertEquals(404, server.send(server.request(HttpMethod.OPTIONS, "/nowhere")).statusCode());
  }

  @Test
  void wellFormedRequestIdIsKept() {
    HttpResponse<Buffer> r =
        server.send(
            server
                .request(HttpMethod.GET, "/health")
                .putHeader("X-Request-Id", "client-abc.123:x_y"));
    assertEquals("client-abc.123:x_y", r.getHeader("X-Request-Id"));
    HttpResponse<Buffer> problem =
        server.send(
            server.request(HttpMethod.GET, "/missing").putHeader("X-Request-Id", "trace-42"));
    assertEquals("trace-42", assertProblem(problem, 404, "not_found").getString("request_id"));
  }

  @Test
  void malformedOrOversizedRequestIdIsReplaced() {
    for (String bad : new String[] {"has space", "<script>", "x".repeat(129), "semi;colon"}) {
      HttpResponse<Buffer> r =
          server.send(server.request(HttpMethod.GET, "/health").putHeader("X-Request-Id", bad));
      String id = r.getHeader("X-Request-Id");
      assertNotEquals(bad, id);
      assertTrue(id.matches("[0-9a-f]{32}"), id);
    }
  }

  @Test
  void everyResponseHasADistinctGeneratedRequestId() {
    String a = server.get("/health").getHeader("X-Request-Id");
    String b = server.get("/health").getHeader("X-Request-Id");
    assertNotNull(a);
    assertNotEquals(a, b);
  }
}
