package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TOTP second factors end to end over HTTP: enrolment, activation, login with a second step,
 * recovery codes, replay under concurrency, step-up, and every bad input a client can send. Codes
 * are computed from the real clock; activation uses the previous step, so the current and next
 * steps are free for the test (the server accepts one step either side).
 */
@BulwarkTest
class MfaTest {
  @BulwarkTest.Server private static TestServer server;
  private static MfaClient client;

  @BeforeAll
  static void setUp() {
    client = new MfaClient(server, Clock.systemUTC());
  }

  @Test
  void enrolActivateLoginVerifyAndRefreshKeepsTheLevel() {
    TestUser u = TestUsers.signup(server);
    HttpResponse<Buffer> enrolled = client.enrol(u);
    assertEquals(201, enrolled.statusCode(), enrolled::bodyAsString);
    JsonObject e = enrolled.bodyAsJsonObject();
    assertEquals("no-store", enrolled.getHeader("Cache-Control"));
    assertEquals(32, e.getString("secret").length()); // 160 bits in base32
    assertTrue(e.getString("otpauth_uri").startsWith("otpauth://totp/Bulwark:"), e::encode);
    assertTrue(e.getString("otpauth_uri").contains("secret=" + e.getString("secret")));
    assertTrue(e.getString("otpauth_uri").contains("algorithm=SHA1&digits=6&period=30"));
    assertTrue(e.getString("qr_svg").startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assertTrue(e.getString("qr_svg").contains("<path"));

    // pending: listed, and the login does not ask for a second factor yet
    JsonObject status = mfaStatus(u);
    assertEquals("pending", status.getJsonArray("factors").getJsonObject(0).getString("status"));
    assertNotNull(client.login(u).bodyAsJsonObject().getString("access_token"));

    byte[] secret = MfaClient.decode(e.getString("secret"));
    HttpResponse<Buffer> activated =
        client.activate(u, e.getString("factor_id"), MfaClient.code(secret, client.step() - 1));
    assertEquals(200, activated.statusCode(), activated::bodyAsString);
    JsonArray codes = activated.bodyAsJsonObject().getJsonArray("recovery_codes");
    assertEquals(10, codes.size());
    status = mfaStatus(u);
    assertEquals("active", status.getJsonArray("factors").getJsonObject(0).getString("status"));
    assertEquals(10, status.getLong("recovery_codes_remaining"));

    // the secret is stored sealed, never as its base32 text or its bytes; recovery codes as hashes
    assertFalse(exists("SELECT 1 FROM mfa_factors WHERE position(? in secret_sealed) > 0", secret));
    assertFalse(
        exists(
            "SELECT 1 FROM mfa_recovery_codes WHERE encode(code_hash, 'escape') LIKE ?",
            "%" + codes.getString(0).replace("-", "") + "%"));

    HttpResponse<Buffer> login = client.login(u);
    assertEquals(200, login.statusCode());
    JsonObject challenge = login.bodyAsJsonObject();
    assertEquals(true, challenge.getBoolean("mfa_required"));
    assertEquals(
        new JsonArray().add("totp").add("recovery_code"), challenge.getJsonArray("methods"));
    assertNull(challenge.getString("access_token"));
    assertNull(challenge.getString("refresh_token"));

    HttpResponse<Buffer> verified =
        client.verify(challenge.getString("mfa_token"), MfaClient.code(secret, client.step()));
    assertEquals(200, verified.statusCode(), verified::bodyAsString);
    JsonObject pair = verified.bodyAsJsonObject();
    JsonObject claims = TestUsers.claims(pair.getString("access_token"));
    assertEquals(2, claims.getInteger("aal"));
    assertEquals(new JsonArray().add("pwd").add("otp"), claims.getJsonArray("amr"));

    // the mfa_token is single use
    assertProblem(
        client.verify(challenge.getString("mfa_token"), MfaClient.code(secret, client.step() + 1)),
        401,
        "invalid_mfa_token");

    // refresh keeps the session's level
    HttpResponse<Buffer> refreshed =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
            new JsonObject().put("refresh_token", pair.getString("refresh_token")));
    assertEquals(200, refreshed.statusCode(), refreshed::bodyAsString);
    JsonObject again = TestUsers.claims(refreshed.bodyAsJsonObject().getString("access_token"));
    assertEquals(2, again.getInteger("aal"));
    assertEquals(new JsonArray().add("pwd").add("otp"), again.getJsonArray("amr"));

    // a one-factor session keeps level 1 through its refreshes
    JsonObject first = TestUsers.claims(u.accessToken());
    assertEquals(1, first.getInteger("aal"));
    assertEquals(new JsonArray().add("pwd"), first.getJsonArray("amr"));
    HttpResponse<Buffer> oneFactor =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
            new JsonObject().put("refresh_token", u.refreshToken()));
    assertEquals(
        1,
        TestUsers.claims(oneFactor.bodyAsJsonObject().getString("access_token")).getInteger("aal"));
  }

  /**
   * The brake's notice goes to the tenth failure: concurrent failures of one user must each get
   * their own count, or none of them may be the tenth (seen once in five suite runs: 12 failures,
   * no notice).
   */
  @Test
  void concurrentFailuresOfOneUserAreCountedOneAtATime() {
    TestUser u = TestUsers.signup(server);
    java.time.OffsetDateTime now = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC);
    List<Future<Long>> counted = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      counted.add(
          MfaRepository.recordFailure(server.app().pg(), u.id(), now, now.minusMinutes(15)));
    }
    Await.result(Future.join(new ArrayList<>(counted)));
    java.util.Set<Long> counts = new java.util.TreeSet<>();
    for (Future<Long> c : counted) {
      counts.add(c.result());
    }
    java.util.Set<Long> expected = new java.util.TreeSet<>();
    for (long n = 1; n <= 20; n++) {
      expected.add(n);
    }
    assertEquals(expected, counts, "each failure its own count, so exactly one is the tenth");
  }

  @Test
  void fiftyParallelSubmissionsOfOneValidCodeSucceedOnce() {
    TestUser u = TestUsers.signup(server);
    MfaClient.Factor f = client.enrolAndActivate(u);
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      tokens.add(client.mfaToken(u));
    }
    String code = MfaClient.code(f.secret(), client.step());
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (String token : tokens) {
      sent.add(
          server
              .request(HttpMethod.POST, "/api/v1/auth/mfa/verify")
              .sendJsonObject(new JsonObject().put("mfa_token", token).put("code", code)));
    }
    Await.result(Future.join(sent));
    Map<String, Integer> outcomes = new HashMap<>();
    for (Future<HttpResponse<Buffer>> r : sent) {
      HttpResponse<Buffer> response = r.result();
      String key =
          response.statusCode() == 200
              ? "200"
              : response.statusCode() + " " + response.bodyAsJsonObject().getString("code");
      outcomes.merge(key, 1, Integer::sum);
    }
    assertEquals(1, outcomes.getOrDefault("200", 0), outcomes::toString);
    // the others: the replay refused, or (after ten of those) the braked second factor
    for (String key : outcomes.keySet()) {
      assertTrue(
          key.equals("200")
              || key.equals("401 code_already_used")
              || key.equals("429 second_factor_locked"),
          outcomes::toString);
    }
    // the brake told the owner once, through the outbox
    assertEquals(
        1,
        count(
            "SELECT count(*) FROM outbound_messages WHERE recipient = ? AND subject LIKE ?",
            u.email(),
            "%second factor%"));
  }

  @Test
  void aReplayedCodeIsRefusedSequentiallyToo() {
    TestUser u = TestUsers.signup(server);
    MfaClient.Factor f = client.enrolAndActivate(u);
    long step = client.step();
    client.signInWithCode(u, f.secret(), step);
    assertProblem(
        client.verify(client.mfaToken(u), MfaClient.code(f.secret(), step)),
        401,
        "code_already_used");
    // the activation code, one step older, is refused as well
    assertProblem(
        client.verify(client.mfaToken(u), MfaClient.code(f.secret(), step - 1)),
        401,
        "code_already_used");
    // a code two steps old is no code at all
    assertProblem(
        client.verify(client.mfaToken(u), MfaClient.code(f.secret(), client.step() - 2)),
        401,
        "invalid_code");
    assertEquals(
        3,
        count(
            "SELECT count(*) FROM audit_events WHERE user_id = ? AND event_type = 'mfa_failure'",
            u.id()));
    assertEquals(
        2,
        count(
            "SELECT count(*) FROM audit_events WHERE user_id = ? AND event_type = 'mfa_failure'"
                + " AND details->>'code' = 'code_already_used'",
            u.id()));
  }

  @Test
  void recoveryCodesWorkOnceEach() {
    TestUser u = TestUsers.signup(server);
    MfaClient.Factor f = client.enrolAndActivate(u);
    String recovery = f.recoveryCodes().get(3);
    HttpResponse<Buffer> r = client.verifyRecovery(client.mfaToken(u), recovery.toLowerCase());
    assertEquals(200, r.statusCode(), r::bodyAsString);
    JsonObject claims = TestUsers.claims(r.bodyAsJsonObject().getString("access_token"));
    assertEquals(2, claims.getInteger("aal"));
    assertEquals(new JsonArray().add("pwd").add("recovery"), claims.getJsonArray("amr"));
    assertEquals(9, mfaStatus(u).getLong("recovery_codes_remaining"));
    // audited: enrolment, activation, the second factors used and refused
    for (String event :
        new String[] {
          "mfa_enrolled", "mfa_activated", "mfa_recovery_code_used", "login_mfa_challenge"
        }) {
      assertEquals(
          1,
          count(
              "SELECT count(*) FROM audit_events WHERE user_id = ? AND event_type = ?",
              u.id(),
              event),
          event);
    }

    assertProblem(
        client.verifyRecovery(client.mfaToken(u), recovery), 401, "invalid_recovery_code");
    assertProblem(
        client.verifyRecovery(client.mfaToken(u), "AAAA-BBBB-CCCC-DDDD"),
        401,
        "invalid_recovery_code");

    // regenerating needs the password (and level 2): a new set replaces the old one
    TestUser strong = TestUsers.fromPair(u.email(), u.password(), r.bodyAsJsonObject());
    assertProblem(
        server.send(
            TestUsers.as(server, strong, HttpMethod.POST, "/api/v1/me/mfa/recovery-codes"),
            new JsonObject().put("password", "not-the-password")),
        401,
        "invalid_credentials");
    assertProblem(
        server.send(
            TestUsers.as(server, u, HttpMethod.POST, "/api/v1/me/mfa/recovery-codes"),
            new JsonObject().put("password", u.password())),
        403,
        "mfa_required");
    HttpResponse<Buffer> regenerated =
        server.send(
            TestUsers.as(server, strong, HttpMethod.POST, "/api/v1/me/mfa/recovery-codes"),
            new JsonObject().put("password", u.password()));
    assertEquals(200, regenerated.statusCode(), regenerated::bodyAsString);
    assertEquals(10, regenerated.bodyAsJsonObject().getJsonArray("recovery_codes").size());
    assertProblem(
        client.verifyRecovery(client.mfaToken(u), f.recoveryCodes().get(4)),
        401,
        "invalid_recovery_code");
    HttpResponse<Buffer> fresh =
        client.verifyRecovery(
            client.mfaToken(u),
            regenerated.bodyAsJsonObject().getJsonArray("recovery_codes").getString(0));
    assertEquals(200, fresh.statusCode(), fresh::bodyAsString);
  }

  @Test
  void anMfaTokenAllowsFiveAttemptsAndBelongsToItsUser() {
    TestUser u = TestUsers.signup(server);
    client.enrolAndActivate(u);
    TestUser other = TestUsers.signup(server);
    MfaClient.Factor otherFactor = client.enrolAndActivate(other);

    // another user's valid code does not complete this user's login
    String token = client.mfaToken(u);
    assertProblem(
        client.verify(token, MfaClient.code(otherFactor.secret(), client.step())),
        401,
        "invalid_code");
    for (int i = 0; i < 4; i++) {
      assertProblem(client.verify(token, "000000"), 401, "invalid_code");
    }
    // the sixth presentation: the token is spent, whatever the code
    assertProblem(client.verify(token, "123456"), 401, "mfa_token_exhausted");

    assertProblem(client.verify("A".repeat(43), "123456"), 401, "invalid_mfa_token");
    assertProblem(client.verify("not a token", "123456"), 401, "invalid_mfa_token");
  }

  @Test
  void malformedSecondFactorsAre400BeforeAnyLookup() {
    String token = "A".repeat(43);
    for (String code : new String[] {"12345", "1234567", "12a456", "", "١٢٣٤٥٦"}) {
      JsonObject p = assertProblem(client.verify(token, code), 400, "validation_failed");
      assertTrue(p.encode().contains("code"), p::encode);
    }
    JsonObject both =
        assertProblem(
            server.send(
                server.request(HttpMethod.POST, "/api/v1/auth/mfa/verify"),
                new JsonObject()
                    .put("mfa_token", token)
                    .put("code", "123456")
                    .put("recovery_code", "AAAA-BBBB-CCCC-DDDD")),
            400,
            "validation_failed");
    assertTrue(both.encode().contains("one_second_factor"), both::encode);
    assertProblem(
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/mfa/verify"),
            new JsonObject().put("mfa_token", token)),
        400,
        "validation_failed");
    assertProblem(client.verifyRecovery(token, "not-a-code-1"), 400, "validation_failed");
    assertProblem(
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/mfa/verify"),
            new JsonObject().put("mfa_token", 12).put("code", 123456)),
        400,
        "validation_failed");
  }

  @Test
  void activationNeedsTheRightCodeOfThatPendingFactor() {
    TestUser u = TestUsers.signup(server);
    HttpResponse<Buffer> enrolled = client.enrol(u);
    String id = enrolled.bodyAsJsonObject().getString("factor_id");
    byte[] secret = MfaClient.decode(enrolled.bodyAsJsonObject().getString("secret"));
    String wrong = MfaClient.code(secret, client.step() + 5);
    assertProblem(client.activate(u, id, wrong), 401, "invalid_code");
    assertProblem(client.activate(u, id, "12345"), 400, "validation_failed");
    assertProblem(
        client.activate(u, "00000000-0000-0000-0000-000000000000", "123456"),
        404,
        "factor_not_found");
    TestUser other = TestUsers.signup(server);
    assertProblem(
        client.activate(other, id, MfaClient.code(secret, client.step())), 404, "factor_not_found");
    assertEquals(200, client.activate(u, id, MfaClient.code(secret, client.step())).statusCode());
    assertProblem(
        client.activate(u, id, MfaClient.code(secret, client.step() + 1)),
        409,
        "factor_already_active");
  }

  @Test
  void anEleventhFactorIsRefused() {
    TestUser u = TestUsers.signup(server);
    for (int i = 0; i < MfaService.MAX_FACTORS; i++) {
      assertEquals(201, client.enrol(u).statusCode());
    }
    assertProblem(client.enrol(u), 409, "too_many_factors");
  }

  @Test
  void removalNeedsLevelTwoThePasswordAndACurrentCode() {
    TestUser u = TestUsers.signup(server);
    MfaClient.Factor f = client.enrolAndActivate(u);
    String path = "/api/v1/me/mfa/totp/" + f.id();
    long step = client.step();
    // u's own session predates the factor: level 1
    assertProblem(
        server.send(
            TestUsers.as(server, u, HttpMethod.DELETE, path),
            new JsonObject()
                .put("password", u.password())
                .put("code", MfaClient.code(f.secret(), step))),
        403,
        "mfa_required");
    TestUser strong = client.signInWithCode(u, f.secret(), step);
    assertProblem(
        server.send(
            TestUsers.as(server, strong, HttpMethod.DELETE, path),
            new JsonObject().put("code", MfaClient.code(f.secret(), step + 1))),
        400,
        "validation_failed");
    assertProblem(
        server.send(
            TestUsers.as(server, strong, HttpMethod.DELETE, path),
            new JsonObject().put("password", u.password())),
        400,
        "validation_failed");
    assertProblem(
        server.send(
            TestUsers.as(server, strong, HttpMethod.DELETE, path),
            new JsonObject()
                .put("password", "wrong-password-entirely")
                .put("code", MfaClient.code(f.secret(), step + 1))),
        401,
        "invalid_credentials");
    // the code used to sign in is spent
    assertProblem(
        server.send(
            TestUsers.as(server, strong, HttpMethod.DELETE, path),
            new JsonObject()
                .put("password", u.password())
                .put("code", MfaClient.code(f.secret(), step))),
        401,
        "code_already_used");
    HttpResponse<Buffer> removed =
        server.send(
            TestUsers.as(server, strong, HttpMethod.DELETE, path),
            new JsonObject()
                .put("password", u.password())
                .put("code", MfaClient.code(f.secret(), step + 1)));
    assertEquals(204, removed.statusCode(), removed::bodyAsString);
    JsonObject status = mfaStatus(strong);
    assertEquals(0, status.getJsonArray("factors").size());
    assertEquals(0, status.getLong("recovery_codes_remaining"));
    // no factor: the password alone signs in again
    assertNotNull(client.login(u).bodyAsJsonObject().getString("access_token"));
  }

  @Test
  void sensitiveRoutesAskLevelOneSessionsOfMfaUsersToStepUp() {
    TestUser u = TestUsers.signup(server);
    MfaClient.Factor f = client.enrolAndActivate(u);
    long step = client.step();
    TestUser other = client.signInWithCode(u, f.secret(), step);

    JsonObject p =
        assertProblem(
            server.send(
                TestUsers.as(server, u, HttpMethod.POST, "/api/v1/me/password"),
                new JsonObject()
                    .put("current_password", u.password())
                    .put("new_password", "An0ther-long-passphrase!")),
            403,
            "mfa_required");
    assertEquals(StepUp.STEP_UP_PATH, p.getString("step_up"));
    assertProblem(
        server.send(
            TestUsers.as(server, u, HttpMethod.DELETE, "/api/v1/me"),
            new JsonObject().put("password", u.password())),
        403,
        "mfa_required");
    assertProblem(
        server.send(
            TestUsers.as(
                server, u, HttpMethod.DELETE, "/api/v1/auth/sessions/" + other.sessionId())),
        403,
        "mfa_required");
    // the ordinary routes do not ask
    assertEquals(
        200, server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me")).statusCode());

    // step-up: a code raises this session to level 2, with a new pair for the same session
    assertProblem(
        server.send(
            TestUsers.as(server, u, HttpMethod.POST, StepUp.STEP_UP_PATH),
            new JsonObject().put("code", MfaClient.code(f.secret(), step))),
        401,
        "code_already_used");
    HttpResponse<Buffer> up =
        server.send(
            TestUsers.as(server, u, HttpMethod.POST, StepUp.STEP_UP_PATH),
            new JsonObject().put("code", MfaClient.code(f.secret(), step + 1)));
    assertEquals(200, up.statusCode(), up::bodyAsString);
    TestUser raised = TestUsers.fromPair(u.email(), u.password(), up.bodyAsJsonObject());
    assertEquals(u.sessionId(), raised.sessionId());
    assertEquals(2, TestUsers.claims(raised.accessToken()).getInteger("aal"));

    HttpResponse<Buffer> ended =
        server.send(
            TestUsers.as(
                server, raised, HttpMethod.DELETE, "/api/v1/auth/sessions/" + other.sessionId()));
    assertEquals(204, ended.statusCode(), ended::bodyAsString);
    // the session's previous refresh token was retired by the step-up (presenting it now is reuse)
    assertProblem(
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
            new JsonObject().put("refresh_token", u.refreshToken())),
        401,
        "refresh_token_reused");
  }

  @Test
  void usersWithoutMfaAreNotAskedToStepUp() {
    TestUser u = TestUsers.signup(server);
    TestUser second =
        TestUsers.fromPair(u.email(), u.password(), client.login(u).bodyAsJsonObject());
    assertEquals(
        204,
        server
            .send(
                TestUsers.as(
                    server, u, HttpMethod.DELETE, "/api/v1/auth/sessions/" + second.sessionId()))
            .statusCode());
    assertProblem(
        server.send(
            TestUsers.as(server, u, HttpMethod.POST, StepUp.STEP_UP_PATH),
            new JsonObject().put("code", "123456")),
        401,
        "invalid_code");
  }

  @Test
  void adminRoutesNeedLevelTwoForStaffWithMfa() throws Exception {
    TestUser u = TestUsers.signup(server);
    MfaClient.Factor f = client.enrolAndActivate(u);
    update("UPDATE users SET role = 'admin' WHERE id = ?", u.id());
    long step = client.step();
    // a level-1 admin token (password only): what a session from before MFA carries
    HttpResponse<Buffer> up =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
            new JsonObject().put("refresh_token", u.refreshToken()));
    TestUser oneFactor = TestUsers.fromPair(u.email(), u.password(), up.bodyAsJsonObject());
    assertEquals("admin", TestUsers.claims(oneFactor.accessToken()).getString("role"));
    assertProblem(
        server.send(TestUsers.as(server, oneFactor, HttpMethod.GET, "/api/v1/admin/users")),
        403,
        "mfa_required");
    assertProblem(
        server.send(TestUsers.as(server, oneFactor, HttpMethod.GET, "/api/v1/admin/audit-events")),
        403,
        "mfa_required");
    TestUser strong = client.signInWithCode(u, f.secret(), step);
    assertEquals(
        200,
        server
            .send(TestUsers.as(server, strong, HttpMethod.GET, "/api/v1/admin/users"))
            .statusCode());
  }

  private static JsonObject mfaStatus(TestUser u) {
    HttpResponse<Buffer> r = server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me/mfa"));
    assertEquals(200, r.statusCode(), r::bodyAsString);
    return r.bodyAsJsonObject();
  }

  static boolean exists(String query, Object... args) {
    return count("SELECT count(*) FROM (" + query + ") q", args) > 0;
  }

  static long count(String query, Object... args) {
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement s = c.prepareStatement(query)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void update(String statement, Object... args) throws Exception {
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement s = c.prepareStatement(statement)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      s.executeUpdate();
    }
  }
}
