package dev.bulwark.http;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.LogCapture;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What an ops checklist asks of every response and every request, checked over real HTTP. */
class HardeningTest {
  private static TestServer server;

  @BeforeAll
  static void start() {
    Map<String, String> env = TestServer.baseEnv();
    env.put("CORS_ORIGINS", "https://app.example.com,https://admin.example.com");
    env.put("FRONTEND_URL", "https://Todo.example.com:443/app/");
    server = TestServer.start(env, Map.of("http.bodyLimit", "4KiB", "http.maxHeaderSize", "2KiB"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void assertSecurityHeaders(HttpResponse<Buffer> r) {
    assertEquals("nosniff", r.getHeader("X-Content-Type-Options"));
    assertEquals("DENY", r.getHeader("X-Frame-Options"));
    assertEquals(
        "default-src 'none'; frame-ancestors 'none'", r.getHeader("Content-Security-Policy"));
    assertEquals("no-referrer", r.getHeader("Referrer-Policy"));
    assertEquals("no-store", r.getHeader("Cache-Control"));
    assertEquals("same-origin", r.getHeader("Cross-Origin-Opener-Policy"));
    assertEquals("same-origin", r.getHeader("Cross-Origin-Resource-Policy"));
    assertTrue(r.getHeader("Permissions-Policy").contains("camera=()"));
    assertNull(r.getHeader("Server"), "no server banner");
    assertNull(
        r.getHeader("Strict-Transport-Security"), "no HSTS over plain HTTP outside production");
  }

  @Test
  void everyResponseCarriesTheSecurityHeaders() {
    assertSecurityHeaders(server.get("/health"));
    assertSecurityHeaders(server.get("/api/status"));
    assertSecurityHeaders(server.get("/no/such/thing"));
    assertSecurityHeaders(server.send(server.request(HttpMethod.GET, "/api/v1/me")));
    var u = TestUsers.signup(server);
    assertSecurityHeaders(server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me")));
  }

  @Test
  void allowedOriginGetsCorsHeadersButNoCredentials() {
    HttpResponse<Buffer> r =
        server.send(
            server
                .request(HttpMethod.GET, "/api/status")
                .putHeader("Origin", "https://app.example.com"));
    assertEquals(200, r.statusCode());
    assertEquals("https://app.example.com", r.getHeader("Access-Control-Allow-Origin"));
    assertNull(
        r.getHeader("Access-Control-Allow-Credentials"),
        "bearer tokens, not cookies: no credentialed CORS");
    assertTrue(r.getHeader("Access-Control-Expose-Headers").contains("X-Request-Id"));
    assertTrue(r.headers().getAll("Vary").contains("Origin"));
  }

  @Test
  void preflightFromAllowedOriginIsAnswered() {
    HttpResponse<Buffer> r =
        server.send(
            server
                .request(HttpMethod.OPTIONS, "/api/v1/tasks")
                .putHeader("Origin", "https://admin.example.com")
                .putHeader("Access-Control-Request-Method", "PATCH")
                .putHeader("Access-Control-Request-Headers", "authorization, if-match"));
    assertEquals(204, r.statusCode());
    assertEquals("https://admin.example.com", r.getHeader("Access-Control-Allow-Origin"));
    assertTrue(r.getHeader("Access-Control-Allow-Methods").contains("PATCH"));
    assertTrue(r.getHeader("Access-Control-Allow-Headers").contains("If-Match"));
    assertEquals("600", r.getHeader("Access-Control-Max-Age"));
    assertNull(r.getHeader("Access-Control-Allow-Credentials"));
  }

  @Test
  void frontendUrlIsOneMoreAllowedOrigin() {
    HttpResponse<Buffer> r =
        server.send(
            server
                .request(HttpMethod.GET, "/api/status")
                .putHeader("Origin", "https://todo.example.com"));
    assertEquals(
        "https://todo.example.com",
        r.getHeader("Access-Control-Allow-Origin"),
        "FRONTEND_URL's origin is allowed");
    HttpResponse<Buffer> pre =
        server.send(
            server
                .request(HttpMethod.OPTIONS, "/api/v1/tasks")
                .putHeader("Origin", "https://todo.example.com")
                .putHeader("Access-Control-Request-Method", "POST"));
    assertEquals(204, pre.statusCode());
    assertEquals("https://todo.example.com", pre.getHeader("Access-Control-Allow-Origin"));
    assertEquals(
        "https://app.example.com",
        server
            .send(
                server
                    .request(HttpMethod.GET, "/api/status")
                    .putHeader("Origin", "https://app.example.com"))
            .getHeader("Access-Control-Allow-Origin"),
        "CORS_ORIGINS still apply");
  }

  @Test
  void hostileOriginsGetNoCorsHeaders() {
    for (String origin :
        new String[] {
          "https://evil.example.com",
          "https://app.example.com.evil.com",
          "null",
          "https://APP.example.com",
          "http://app.example.com"
        }) {
      HttpResponse<Buffer> r =
          server.send(server.request(HttpMethod.GET, "/api/status").putHeader("Origin", origin));
      assertEquals(200, r.statusCode(), origin);
      assertNull(r.getHeader("Access-Control-Allow-Origin"), origin);
      assertNull(r.getHeader("Access-Control-Allow-Credentials"), origin);
      HttpResponse<Buffer> pre =
          server.send(
              server
                  .request(HttpMethod.OPTIONS, "/api/status")
                  .putHeader("Origin", origin)
                  .putHeader("Access-Control-Request-Method", "GET"));
      assertProblem(pre, 403, "cors_origin_denied");
      assertNull(pre.getHeader("Access-Control-Allow-Origin"));
    }
  }

  @Test
  void oversizedBodyIs413() {
    HttpResponse<Buffer> r =
        server.send(
            server
                .request(HttpMethod.POST, "/api/v1/auth/login")
                .putHeader("Content-Type", "application/json"),
            Buffer.buffer("{\"email\":\"" + "a".repeat(8 * 1024) + "\"}"));
    assertProblem(r, 413, "payload_too_large");
  }

  @Test
  void wrongContentTypeIs415() {
    HttpResponse<Buffer> r =
        server.send(
            server
                .request(HttpMethod.POST, "/api/v1/auth/login")
                .putHeader("Content-Type", "text/plain"),
            Buffer.buffer("{\"email\":\"a@b.co\",\"password\":\"x\"}"));
    assertProblem(r, 415, "unsupported_media_type");
  }

  /**
   * The oversized request goes over a client of its own: the server may close or reset that
   * connection, and a connection it closed must not be left in the shared client's pool for the
   * next test to pick up (that was a flake: the CORS test failing with "Connection was closed").
   */
  @Test
  void oversizedHeadersAreRefusedAndTheServerCarriesOn() {
    HttpClient own = server.vertx().createHttpClient();
    try {
      RequestOptions options =
          new RequestOptions()
              .setHost("127.0.0.1")
              .setPort(server.port())
              .setURI("/health")
              .putHeader("X-Junk", "j".repeat(4096));
      int status =
          Await.result(
              own.request(options).compose(req -> req.send()).map(resp -> resp.statusCode()));
      assertTrue(status == 431 || status == 400, "status " + status);
    } catch (Exception e) {
      // closing (or, on the epoll transport, resetting) the connection is the other acceptable
      // answer to an oversized header block
      if (!connectionLost(e) && !connectionLost(e.getCause())) {
        throw e;
      }
    } finally {
      own.close();
    }
    assertEquals(200, server.get("/health").statusCode(), "the server answers the next request");
  }

  private static boolean connectionLost(Throwable e) {
    return e instanceof HttpClosedException || e instanceof java.io.IOException;
  }

  @Test
  void undeclaredMethodsAre405() {
    for (HttpMethod m : new HttpMethod[] {HttpMethod.TRACE, HttpMethod.PUT, HttpMethod.POST}) {
      HttpResponse<Buffer> r = server.send(server.request(m, "/api/v1/me"));
      assertProblem(r, 405, "method_not_allowed");
      assertEquals("DELETE, GET, HEAD, PATCH, OPTIONS", r.getHeader("Allow"));
    }
  }

  @Test
  void garbageForwardedHeadersChangeNothing() {
    HttpResponse<Buffer> r =
        server.send(
            server
                .request(HttpMethod.GET, "/api/status")
                .putHeader("X-Forwarded-For", "not-an-ip, ::::, 999.1.1.1")
                .putHeader("X-Forwarded-Proto", "https")
                .putHeader("X-Forwarded-Host", "evil.example.com"));
    assertEquals(200, r.statusCode());
    assertNull(
        r.getHeader("Strict-Transport-Security"),
        "X-Forwarded-Proto from an untrusted peer is ignored");
  }

  @Test
  void httpsReportedByATrustedProxyGetsHsts() {
    Map<String, String> env = TestServer.baseEnv();
    env.put("RATE_LIMIT_TRUSTED_PROXIES", "127.0.0.0/8");
    try (TestServer behindProxy = TestServer.start(env, Map.of())) {
      HttpResponse<Buffer> https =
          behindProxy.send(
              behindProxy
                  .request(HttpMethod.GET, "/api/status")
                  .putHeader("X-Forwarded-Proto", "https"));
      assertEquals(
          "max-age=31536000; includeSubDomains", https.getHeader("Strict-Transport-Security"));
      assertNull(
          behindProxy.get("/api/status").getHeader("Strict-Transport-Security"),
          "plain HTTP via the proxy");
      HttpResponse<Buffer> garbage =
          behindProxy.send(
              behindProxy
                  .request(HttpMethod.GET, "/api/status")
                  .putHeader("X-Forwarded-For", "not-an-ip, ::::, 999.1.1.1"));
      assertEquals(
          200,
          garbage.statusCode(),
          "an unreadable forwarded chain falls back to the proxy's address");
    }
  }

  private record Raw(String contentEncoding, Buffer body) {}

  /** A request through a client that does not decompress, so the wire encoding is visible. */
  private static Raw raw(HttpClient client, String path, boolean acceptGzip) {
    RequestOptions options =
        new RequestOptions().setHost("127.0.0.1").setPort(server.port()).setURI(path);
    if (acceptGzip) {
      options.putHeader("Accept-Encoding", "gzip");
    }
    return Await.result(
        client
            .request(options)
            .compose(req -> req.send())
            .compose(
                resp ->
                    resp.body().map(body -> new Raw(resp.getHeader("Content-Encoding"), body))));
  }

  @Test
  void largeResponsesAreGzippedWhenAcceptedAndSmallOnesAreNot() {
    HttpClient client =
        server.vertx().createHttpClient(new HttpClientOptions().setDecompressionSupported(false));
    try {
      Raw big = raw(client, "/openapi.yaml", true);
      assertEquals("gzip", big.contentEncoding());
      assertEquals((byte) 0x1f, big.body().getByte(0), "gzip magic");
      assertNull(
          raw(client, "/health", true).contentEncoding(),
          "responses under 1 KiB are sent as they are");
      assertNull(
          raw(client, "/openapi.yaml", false).contentEncoding(), "no compression unless asked for");
    } finally {
      client.close();
    }
  }

  @Test
  void slowRequestsTimeOutWith503AndTheirLateAnswerIsDropped() throws Exception {
    Map<String, String> env = TestServer.baseEnv();
    env.put("BCRYPT_ROUNDS", "14");
    LogCapture logs = LogCapture.attach();
    try (TestServer slow = TestServer.start(env, Map.of("http.requestTimeout", "200ms"))) {
      String email = TestUsers.uniqueEmail();
      HttpResponse<Buffer> r =
          slow.send(
              slow.request(HttpMethod.POST, "/api/v1/auth/signup"),
              new JsonObject().put("email", email).put("password", TestUsers.PASSWORD));
      assertProblem(r, 503, "request_timeout");
      assertEquals(200, slow.get("/health").statusCode());
      // the signup goes on after its 503 and commits the account; its handler, answering late,
      // must leave the finished response alone instead of throwing on the event loop
      try (Connection db = TestServices.get().jdbc(env.get("DATABASE_URL"));
          PreparedStatement q = db.prepareStatement("SELECT 1 FROM users WHERE email = ?")) {
        q.setString(1, email);
        Await.until(
            () -> {
              try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Boolean.TRUE : null;
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            });
      }
      Thread.sleep(300); // the commit is seen here a moment before its reply reaches the handler
      List<String> thrown =
          logs.lines().stream().filter(l -> l.contains("Unhandled exception")).toList();
      assertEquals(List.of(), thrown);
    } finally {
      logs.detach();
    }
  }

  @Test
  void docsAreServedWithTheirOwnPolicyWhereEnabled() {
    HttpResponse<Buffer> page = server.get("/docs");
    assertEquals(200, page.statusCode());
    assertTrue(page.getHeader("Content-Type").startsWith("text/html"));
    assertTrue(page.getHeader("Content-Security-Policy").contains("script-src 'self'"));
    assertTrue(page.bodyAsString().contains("swagger-ui-bundle.js"));
    HttpResponse<Buffer> bundle = server.get("/docs/assets/swagger-ui-bundle.js");
    assertEquals(200, bundle.statusCode());
    assertTrue(bundle.body().length() > 100_000);
    assertTrue(server.get("/docs/init.js").bodyAsString().contains("/openapi.yaml"));
    assertProblem(server.get("/docs/assets/../../../../logback.xml"), 400, "non_canonical_path");
  }

  @Test
  void productionSendsHstsAndHidesDocs() {
    Map<String, String> env = TestServer.baseEnv();
    env.put("ENVIRONMENT", "production");
    env.put("JWT_SECRET_KEY", "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx");
    env.put("PASSWORD_PEPPER", "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb");
    env.put("MFA_ENCRYPTION_KEY", "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9");
    env.put("SMTP_URL", "smtp://127.0.0.1:" + dev.bulwark.testing.TestServices.freePort());
    env.put("PUBLIC_BASE_URL", "https://app.example.com");
    env.remove(
        "RATE_LIMIT_RULES"); // production refuses to run without rules: its own defaults apply
    env.put(
        "METRICS_PORT",
        Integer.toString(dev.bulwark.testing.TestServices.freePort())); // not production's 9090
    try (TestServer prod = TestServer.start(env, Map.of())) {
      assertEquals(
          "max-age=31536000; includeSubDomains",
          prod.get("/health").getHeader("Strict-Transport-Security"));
      assertProblem(prod.get("/docs"), 404, "not_found");
      assertProblem(prod.get("/docs/assets/swagger-ui-bundle.js"), 404, "not_found");
    }
  }

  @Test
  void metricsExposeRoutesPoolsHasherAndJvm() {
    var u = TestUsers.signup(server);
    server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me"));
    HttpResponse<Buffer> r = server.get("/metrics");
    assertEquals(200, r.statusCode());
    String text = r.bodyAsString();
    for (String metric :
        new String[] {
          "vertx_http_server_response_time_seconds_bucket",
          "route=\"/api/v1/me\"",
          "vertx_pool_in_use",
          "bulwark_hasher_outstanding",
          "bulwark_hasher_rejected_total",
          "bulwark_events_total",
          "jvm_memory_used_bytes",
          "bulwark_event_loop_lag_max_seconds"
        }) {
      assertTrue(text.contains(metric), metric + " missing from /metrics");
    }
  }
}
