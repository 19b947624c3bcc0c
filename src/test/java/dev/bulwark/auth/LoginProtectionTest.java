package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.HasherConfig;
import dev.bulwark.infra.Metrics;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** No free oracle, the per-account brake, back-pressure on bcrypt, and the audit trail. */
class LoginProtectionTest {

  private static HttpResponse<Buffer> login(TestServer server, String email, String password) {
    return server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/login"),
        new JsonObject().put("email", email).put("password", password));
  }

  @Test
  void aPasswordMatchesWhicheverUnicodeFormTheKeyboardSends() {
    try (TestServer server = TestServer.start()) {
      String email = TestUsers.uniqueEmail();
      String decomposed =
          "Cafe\u0301-au-lait-\uFF17\uFF19"; // e + combining acute, full-width 7 and 9
      String composed = "Caf\u00e9-au-lait-79";
      assertEquals(
          201,
          server
              .send(
                  server.request(io.vertx.core.http.HttpMethod.POST, "/api/v1/auth/signup"),
                  new JsonObject().put("email", email).put("password", decomposed))
              .statusCode());
      assertEquals(200, login(server, email, composed).statusCode(), "NFKC on both sides");
      assertEquals(200, login(server, email, decomposed).statusCode());
      assertProblem(login(server, email, "Cafe-au-lait-79"), 401, "invalid_credentials");
    }
  }

  @Test
  void loginAndRefreshOutcomesAreCountedAsTheMetricsSay() {
    Map<String, String> props = Map.of("auth.lockout.threshold", "1");
    try (TestServer server = TestServer.start(TestServer.baseEnv(), props)) {
      TestUser u = TestUsers.signup(server);
      long succeeded = Metrics.total(Metrics.Event.LOGIN_SUCCEEDED);
      long failed = Metrics.total(Metrics.Event.LOGIN_FAILED);
      long locked = Metrics.total(Metrics.Event.ACCOUNT_LOCKED);
      long rotated = Metrics.total(Metrics.Event.REFRESH_ROTATED);
      long replayed = Metrics.total(Metrics.Event.REFRESH_REPLAYED);
      long reused = Metrics.total(Metrics.Event.REFRESH_REUSE_DETECTED);
      assertEquals(200, login(server, u.email(), u.password()).statusCode());
      String child =
          RefreshRotationTest.refresh(server, u.refreshToken())
              .bodyAsJsonObject()
              .getString("refresh_token");
      RefreshRotationTest.refresh(server, u.refreshToken());
      RefreshRotationTest.refresh(server, child);
      RefreshRotationTest.refresh(server, u.refreshToken());
      assertProblem(login(server, u.email(), "wrong-password-1"), 401, "invalid_credentials");
      assertTrue(Metrics.total(Metrics.Event.LOGIN_SUCCEEDED) >= succeeded + 1);
      assertTrue(Metrics.total(Metrics.Event.LOGIN_FAILED) >= failed + 1);
      assertTrue(Metrics.total(Metrics.Event.ACCOUNT_LOCKED) >= locked + 1);
      assertTrue(Metrics.total(Metrics.Event.REFRESH_ROTATED) >= rotated + 2);
      assertTrue(Metrics.total(Metrics.Event.REFRESH_REPLAYED) >= replayed + 1);
      assertTrue(Metrics.total(Metrics.Event.REFRESH_REUSE_DETECTED) >= reused + 1);
      assertTrue(
          server
              .get("/metrics")
              .bodyAsString()
              .contains("bulwark_events_total{event=\"login_failed\"}"));
    }
  }

  @Test
  void unknownEmailAndWrongPasswordAnswerAlike() {
    try (TestServer server = TestServer.start()) {
      TestUser u = TestUsers.signup(server);
      JsonObject unknown =
          assertProblem(
              login(server, "nobody-" + u.email(), u.password()), 401, "invalid_credentials");
      JsonObject wrong =
          assertProblem(login(server, u.email(), "wrong-password-123"), 401, "invalid_credentials");
      assertEquals(unknown.getString("detail"), wrong.getString("detail"));
      assertEquals(unknown.getString("title"), wrong.getString("title"));
    }
  }

  @Test
  void decoyHashCostsWhatARealHashCosts() {
    Vertx vertx = Vertx.vertx();
    try {
      PasswordHasher hasher =
          new PasswordHasher(vertx, new HasherConfig(1, 12, 4, Duration.ofSeconds(5), 0, false));
      assertTrue(
          hasher.decoyHash().startsWith("$hmac1$2a$12$"),
          "the current version and cost: " + hasher.decoyHash());
      assertEquals(66, hasher.decoyHash().length());
    } finally {
      vertx.close();
    }
  }

  @Test
  void repeatedFailuresLockTheAccountWithGrowingWaitsAndSuccessResets() throws Exception {
    Map<String, String> props =
        Map.of(
            "auth.lockout.threshold",
            "3",
            "auth.lockout.baseDelay",
            "2s",
            "auth.lockout.maxDelay",
            "1m");
    try (TestServer server = TestServer.start(TestServer.baseEnv(), props)) {
      TestUser u = TestUsers.signup(server);
      TestUser other = TestUsers.signup(server);
      for (int i = 0; i < 3; i++) {
        assertProblem(login(server, u.email(), "wrong-password-" + i), 401, "invalid_credentials");
      }
      HttpResponse<Buffer> locked = login(server, u.email(), u.password());
      assertProblem(locked, 429, "too_many_attempts");
      assertEquals("2", locked.getHeader("Retry-After"));
      assertEquals(
          200,
          login(server, other.email(), other.password()).statusCode(),
          "other accounts are not braked");
      assertProblem(login(server, u.email().toUpperCase(), u.password()), 429, "too_many_attempts");

      Thread.sleep(2100);
      assertProblem(login(server, u.email(), "wrong-again"), 401, "invalid_credentials");
      HttpResponse<Buffer> longer = login(server, u.email(), u.password());
      assertProblem(longer, 429, "too_many_attempts");
      assertEquals("4", longer.getHeader("Retry-After"), "the wait doubles");

      Thread.sleep(4100);
      assertEquals(200, login(server, u.email(), u.password()).statusCode());
      assertProblem(login(server, u.email(), "wrong-after-reset"), 401, "invalid_credentials");
      assertEquals(
          200, login(server, u.email(), u.password()).statusCode(), "a success reset the count");

      for (int i = 0; i < 3; i++) {
        login(server, "ghost-" + u.email(), "whatever-" + i);
      }
      assertProblem(login(server, "ghost-" + u.email(), "whatever"), 429, "too_many_attempts");

      try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(*) FROM audit_events WHERE event_type = 'account_locked' AND user_id = ?")) {
        ps.setObject(1, u.id());
        ResultSet rs = ps.executeQuery();
        rs.next();
        assertEquals(2, rs.getInt(1), "each lockout is audited");
      }
    }
  }

  @Test
  void fullHasherQueueAnswers503AtOnceWhileOtherEndpointsServe() {
    Map<String, String> env = TestServer.baseEnv();
    env.put("BCRYPT_ROUNDS", "12");
    env.put("HASHER_INSTANCES", "1");
    Map<String, String> props =
        new HashMap<>(Map.of("hasher.queueCapacity", "2", "auth.lockout.threshold", "1000"));
    try (TestServer server = TestServer.start(env, props)) {
      TestUser u = TestUsers.signup(server);
      List<Future<HttpResponse<Buffer>>> storm = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        storm.add(
            server
                .request(HttpMethod.POST, "/api/v1/auth/login")
                .sendJsonObject(
                    new JsonObject().put("email", u.email()).put("password", u.password())));
      }
      HttpResponse<Buffer> status = server.get("/api/status");
      assertEquals(200, status.statusCode(), "non-bcrypt endpoints keep serving during the storm");
      assertEquals(
          200, server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me")).statusCode());
      int busy = 0;
      int ok = 0;
      for (Future<HttpResponse<Buffer>> f : storm) {
        HttpResponse<Buffer> r = Await.result(f);
        if (r.statusCode() == 503) {
          assertProblem(r, 503, "server_busy");
          assertEquals("1", r.getHeader("Retry-After"));
          busy++;
        } else {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          ok++;
        }
      }
      assertTrue(busy >= 8, "most of the storm was turned away at once: " + busy);
      assertTrue(ok >= 2, "the admitted ones were served: " + ok);
    }
  }

  @Test
  void signupIsAuditedWithoutSecrets() throws Exception {
    try (TestServer server = TestServer.start()) {
      TestUser u = TestUsers.signup(server);
      login(server, u.email(), "bad-password-xyz");
      try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT event_type, details::text, ip, request_id FROM audit_events WHERE user_id = ? ORDER BY id")) {
        ps.setObject(1, u.id());
        ResultSet rs = ps.executeQuery();
        List<String> types = new ArrayList<>();
        while (rs.next()) {
          types.add(rs.getString(1));
          assertFalse(rs.getString(2).contains(u.password()));
          assertFalse(rs.getString(2).contains("bad-password-xyz"));
          assertFalse(rs.getString(2).contains(u.refreshToken()));
          assertEquals("127.0.0.1", rs.getString(3));
          assertTrue(rs.getString(4).matches("[0-9a-f]{32}"));
        }
        assertEquals(List.of("signup", "login_failure"), types);
      }
    }
  }

  @Test
  void duplicateSignupIs409AndChangesNothing() {
    try (TestServer server = TestServer.start()) {
      TestUser u = TestUsers.signup(server);
      HttpResponse<Buffer> again =
          server.send(
              server.request(HttpMethod.POST, "/api/v1/auth/signup"),
              new JsonObject()
                  .put("email", u.email().toUpperCase())
                  .put("password", "some-other-Password-9"));
      assertProblem(again, 409, "email_taken");
      assertEquals(
          200,
          login(server, u.email(), u.password()).statusCode(),
          "the original password still works");
      assertProblem(login(server, u.email(), "some-other-Password-9"), 401, "invalid_credentials");
    }
  }

  @Test
  void signupAnswers201WithTokenPairAndLocation() {
    try (TestServer server = TestServer.start()) {
      String email = TestUsers.uniqueEmail();
      HttpResponse<Buffer> r =
          server.send(
              server.request(HttpMethod.POST, "/api/v1/auth/signup"),
              new JsonObject()
                  .put("email", email)
                  .put("password", TestUsers.PASSWORD)
                  .put("display_name", "Bo"));
      assertEquals(201, r.statusCode());
      assertEquals("/api/v1/me", r.getHeader("Location"));
      JsonObject pair = r.bodyAsJsonObject();
      for (String field :
          new String[] {
            "access_token",
            "token_type",
            "expires_in",
            "refresh_token",
            "refresh_expires_in",
            "session_id"
          }) {
        assertTrue(pair.containsKey(field), field);
      }
      JsonObject claims = TestUsers.claims(pair.getString("access_token"));
      for (String claim :
          new String[] {"sub", "sid", "jti", "iat", "nbf", "exp", "iss", "aud", "typ"}) {
        assertTrue(claims.containsKey(claim), claim);
      }
      assertEquals("access", claims.getString("typ"));
      assertEquals(pair.getString("session_id"), claims.getString("sid"));
      assertEquals(900, claims.getLong("exp") - claims.getLong("iat"));
    }
  }
}
