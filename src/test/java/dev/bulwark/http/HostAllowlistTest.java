package dev.bulwark.http;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ALLOWED_HOSTS over real HTTP: listed hosts are served, others get 400 host_not_allowed, probes
 * answer any Host.
 */
class HostAllowlistTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    Map<String, String> env = TestServer.baseEnv();
    env.put("ALLOWED_HOSTS", "api.example.com, *.tenants.example.com, 127.0.0.1");
    server = TestServer.start(env, Map.of());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<Buffer> get(String path, String host) {
    return server.send(server.request(HttpMethod.GET, path).virtualHost(host));
  }

  @Test
  void listedHostsAreServedWhateverTheirCaseOrPort() {
    assertEquals(200, get("/api/status", "api.example.com").statusCode());
    assertEquals(200, get("/api/status", "API.Example.COM").statusCode());
    assertEquals(200, get("/api/status", "eu.tenants.example.com").statusCode());
    assertEquals(200, server.get("/api/status").statusCode(), "127.0.0.1 is listed");
  }

  @Test
  void otherHostsGet400HostNotAllowed() {
    for (String host :
        new String[] {
          "evil.example.com",
          "tenants.example.com",
          "api.example.com.evil.com",
          "xapi.example.com",
          "10.0.0.5",
          "localhost"
        }) {
      assertProblem(get("/api/status", host), 400, "host_not_allowed");
      assertProblem(get("/api/v1/me", host), 400, "host_not_allowed");
      assertProblem(get("/no/such/route", host), 400, "host_not_allowed");
      assertProblem(get("/metrics", host), 400, "host_not_allowed");
    }
    HttpResponse<Buffer> preflight =
        server.send(
            server
                .request(HttpMethod.OPTIONS, "/api/v1/tasks")
                .virtualHost("evil.example.com")
                .putHeader("Origin", "https://evil.example.com")
                .putHeader("Access-Control-Request-Method", "GET"));
    assertProblem(preflight, 400, "host_not_allowed");
  }

  @Test
  void probesAnswerWhateverTheHostSoOrchestratorsCanProbeByAddress() {
    assertEquals(200, get("/health", "10.0.0.5").statusCode());
    assertEquals(200, get("/ready", "10.0.0.5").statusCode());
    assertEquals(200, get("/health", "evil.example.com").statusCode());
  }

  @Test
  void aRequestWithoutHostIsRefused() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write("GET /api/status HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(response.startsWith("HTTP/1.0 400"), response);
      assertTrue(response.contains("host_not_allowed"), response);
    }
  }
}
