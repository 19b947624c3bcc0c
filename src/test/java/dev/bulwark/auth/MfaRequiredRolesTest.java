package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Clock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code auth.requireMfaForRoles}: an account of such a role signing in without a factor gets a
 * token limited to the enrolment routes; once a factor is active, a step-up makes the session
 * whole.
 */
@BulwarkTest(props = {"auth.requireMfaForRoles=staff,admin"})
class MfaRequiredRolesTest {
  @BulwarkTest.Server private static TestServer server;
  private static MfaClient client;

  @BeforeAll
  static void setUp() {
    client = new MfaClient(server, Clock.systemUTC());
  }

  @Test
  void aStaffLoginWithoutAFactorCanOnlyEnrol() throws Exception {
    TestUser signedUp = TestUsers.signup(server);
    MfaTest.update("UPDATE users SET role = 'staff' WHERE id = ?", signedUp.id());
    HttpResponse<Buffer> login = client.login(signedUp);
    assertEquals(200, login.statusCode(), login::bodyAsString);
    TestUser limited =
        TestUsers.fromPair(signedUp.email(), signedUp.password(), login.bodyAsJsonObject());
    JsonObject claims = TestUsers.claims(limited.accessToken());
    assertEquals("mfa_enrolment", claims.getString("scope"));
    assertEquals(1, claims.getInteger("aal"));

    JsonObject refused =
        assertProblem(
            server.send(TestUsers.as(server, limited, HttpMethod.GET, "/api/v1/me")),
            403,
            "mfa_enrolment_required");
    assertEquals("/api/v1/me/mfa/totp", refused.getString("enrol"));
    assertProblem(
        server.send(TestUsers.as(server, limited, HttpMethod.GET, "/api/v1/tasks")),
        403,
        "mfa_enrolment_required");
    assertProblem(
        server.send(TestUsers.as(server, limited, HttpMethod.GET, "/api/v1/admin/users")),
        403,
        "mfa_enrolment_required");

    // refresh keeps the limit
    HttpResponse<Buffer> refreshed =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
            new JsonObject().put("refresh_token", limited.refreshToken()));
    assertEquals(200, refreshed.statusCode(), refreshed::bodyAsString);
    TestUser stillLimited =
        TestUsers.fromPair(signedUp.email(), signedUp.password(), refreshed.bodyAsJsonObject());
    assertEquals("mfa_enrolment", TestUsers.claims(stillLimited.accessToken()).getString("scope"));

    // the enrolment routes answer
    assertEquals(
        200,
        server
            .send(TestUsers.as(server, stillLimited, HttpMethod.GET, "/api/v1/me/mfa"))
            .statusCode());
    MfaClient.Factor f = client.enrolAndActivate(stillLimited);

    // then a step-up makes the session whole, at level 2
    HttpResponse<Buffer> up =
        server.send(
            TestUsers.as(server, stillLimited, HttpMethod.POST, StepUp.STEP_UP_PATH),
            new JsonObject().put("code", MfaClient.code(f.secret(), client.step())));
    assertEquals(200, up.statusCode(), up::bodyAsString);
    TestUser whole =
        TestUsers.fromPair(signedUp.email(), signedUp.password(), up.bodyAsJsonObject());
    JsonObject wholeClaims = TestUsers.claims(whole.accessToken());
    assertNull(wholeClaims.getString("scope"));
    assertEquals(2, wholeClaims.getInteger("aal"));
    assertEquals(
        200, server.send(TestUsers.as(server, whole, HttpMethod.GET, "/api/v1/me")).statusCode());
    assertEquals(
        200,
        server
            .send(TestUsers.as(server, whole, HttpMethod.GET, "/api/v1/admin/users"))
            .statusCode());

    // and the next login asks for the second factor
    assertEquals(
        Boolean.TRUE, client.login(signedUp).bodyAsJsonObject().getBoolean("mfa_required"));
  }

  @Test
  void rolesNotListedSignInAsBefore() {
    TestUser u = TestUsers.signup(server);
    JsonObject claims =
        TestUsers.claims(client.login(u).bodyAsJsonObject().getString("access_token"));
    assertNull(claims.getString("scope"));
    assertEquals(
        200, server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me")).statusCode());
  }
}
