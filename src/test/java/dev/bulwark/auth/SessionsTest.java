package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@BulwarkTest
class SessionsTest {
  @BulwarkTest.Server private static TestServer server;

  private static JsonObject login(TestUser u, String device, String userAgent) {
    JsonObject body = new JsonObject().put("email", u.email()).put("password", u.password());
    if (device != null) {
      body.put("device_name", device);
    }
    var req = server.request(HttpMethod.POST, "/api/v1/auth/login");
    if (userAgent != null) {
      req.putHeader("User-Agent", userAgent);
    }
    HttpResponse<Buffer> r = server.send(req, body);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static JsonArray sessions(String accessToken) {
    HttpResponse<Buffer> r =
        server.send(
            server
                .request(HttpMethod.GET, "/api/v1/auth/sessions")
                .putHeader("Authorization", "Bearer " + accessToken));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("no-store", r.getHeader("Cache-Control"));
    return r.bodyAsJsonObject().getJsonArray("items");
  }

  private static JsonObject find(JsonArray items, String id) {
    for (int i = 0; i < items.size(); i++) {
      if (items.getJsonObject(i).getString("id").equals(id)) {
        return items.getJsonObject(i);
      }
    }
    return null;
  }

  @Test
  void behindATrustedProxyTheSessionRecordsTheClientsAddress() {
    java.util.Map<String, String> env = TestServer.baseEnv();
    env.put("RATE_LIMIT_TRUSTED_PROXIES", "127.0.0.1");
    try (TestServer proxied = TestServer.start(env, java.util.Map.of())) {
      String email = TestUsers.uniqueEmail();
      HttpResponse<Buffer> signup =
          proxied.send(
              proxied
                  .request(HttpMethod.POST, "/api/v1/auth/signup")
                  .putHeader("X-Forwarded-For", "198.51.100.1, 2001:db8::7"),
              new JsonObject().put("email", email).put("password", TestUsers.PASSWORD));
      assertEquals(201, signup.statusCode(), signup::bodyAsString);
      JsonArray items =
          proxied
              .send(
                  proxied
                      .request(HttpMethod.GET, "/api/v1/auth/sessions")
                      .putHeader(
                          "Authorization",
                          "Bearer " + signup.bodyAsJsonObject().getString("access_token")))
              .bodyAsJsonObject()
              .getJsonArray("items");
      assertEquals(
          "2001:db8:0:0:0:0:0:7",
          items.getJsonObject(0).getString("ip"),
          "the right-most untrusted hop");
    }
  }

  @Test
  void listShowsDeviceIpTimesAndWhichIsCurrent() {
    TestUser u = TestUsers.signup(server);
    JsonObject phone = login(u, "Ann's Pixel 9", null);
    JsonObject tablet = login(u, null, "BulwarkApp/2.1 (iPad; iOS 18)");
    JsonArray items = sessions(phone.getString("access_token"));
    assertEquals(3, items.size());

    JsonObject current = find(items, phone.getString("session_id"));
    assertEquals("Ann's Pixel 9", current.getString("device_name"));
    assertTrue(current.getBoolean("current"));
    assertEquals("127.0.0.1", current.getString("ip"));
    assertNotNull(current.getString("created_at"));
    assertNotNull(current.getString("last_used_at"));
    assertTrue(
        current
            .getString("created_at")
            .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"),
        "the API's one timestamp form (as tasks): " + current.getString("created_at"));

    JsonObject fromUserAgent = find(items, tablet.getString("session_id"));
    assertEquals("BulwarkApp/2.1 (iPad; iOS 18)", fromUserAgent.getString("device_name"));
    assertFalse(fromUserAgent.getBoolean("current"));
    assertEquals(1, items.stream().filter(o -> ((JsonObject) o).getBoolean("current")).count());
  }

  @Test
  void endingAnotherOwnSessionRevokesItsTokensAtOnce() {
    TestUser u = TestUsers.signup(server);
    JsonObject phone = login(u, "phone", null);
    HttpResponse<Buffer> end =
        server.send(
            TestUsers.as(
                server,
                u,
                HttpMethod.DELETE,
                "/api/v1/auth/sessions/" + phone.getString("session_id")));
    assertEquals(204, end.statusCode(), end.bodyAsString());

    assertProblem(
        server.send(
            server
                .request(HttpMethod.GET, "/api/v1/me")
                .putHeader("Authorization", "Bearer " + phone.getString("access_token"))),
        401,
        "token_revoked");
    assertProblem(
        RefreshRotationTest.refresh(server, phone.getString("refresh_token")),
        401,
        "session_revoked");
    JsonArray left = sessions(u.accessToken());
    assertEquals(1, left.size());
    assertEquals(u.sessionId().toString(), left.getJsonObject(0).getString("id"));
    assertProblem(
        server.send(
            TestUsers.as(
                server,
                u,
                HttpMethod.DELETE,
                "/api/v1/auth/sessions/" + phone.getString("session_id"))),
        404,
        "not_found");
  }

  @Test
  void someoneElsesSessionIsNotFoundAndStaysAlive() {
    TestUser alice = TestUsers.signup(server);
    TestUser bob = TestUsers.signup(server);
    assertProblem(
        server.send(
            TestUsers.as(
                server, alice, HttpMethod.DELETE, "/api/v1/auth/sessions/" + bob.sessionId())),
        404,
        "not_found");
    assertProblem(
        server.send(
            TestUsers.as(
                server, alice, HttpMethod.DELETE, "/api/v1/auth/sessions/" + UUID.randomUUID())),
        404,
        "not_found");
    assertEquals(1, sessions(bob.accessToken()).size());
    assertEquals(200, RefreshRotationTest.refresh(server, bob.refreshToken()).statusCode());
    assertEquals(1, sessions(alice.accessToken()).size(), "alice sees only her own sessions");
  }

  @Test
  void profileReadAndPartialUpdate() {
    TestUser u = TestUsers.signup(server);
    JsonObject me =
        server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me")).bodyAsJsonObject();
    assertEquals(u.id().toString(), me.getString("id"));
    assertEquals(u.email(), me.getString("email"));
    assertTrue(me.containsKey("display_name"));

    HttpResponse<Buffer> patched =
        server.send(
            TestUsers.as(server, u, HttpMethod.PATCH, "/api/v1/me"),
            new JsonObject().put("display_name", "  Ann Example  "));
    assertEquals(200, patched.statusCode(), patched.bodyAsString());
    assertEquals("Ann Example", patched.bodyAsJsonObject().getString("display_name"));

    assertProblem(
        server.send(
            TestUsers.as(server, u, HttpMethod.PATCH, "/api/v1/me"),
            new JsonObject().put("email", "new@example.com")),
        400,
        "validation_failed");
    assertEquals(
        u.email(),
        server
            .send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me"))
            .bodyAsJsonObject()
            .getString("email"));

    HttpResponse<Buffer> cleared =
        server.send(
            TestUsers.as(server, u, HttpMethod.PATCH, "/api/v1/me"),
            new JsonObject().putNull("display_name"));
    assertEquals(200, cleared.statusCode());
    assertEquals(null, cleared.bodyAsJsonObject().getString("display_name"));
  }
}
