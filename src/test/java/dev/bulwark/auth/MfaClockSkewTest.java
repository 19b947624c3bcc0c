package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's clock is the test's (injected through {@link TestServer#start(Map, Map,
 * java.time.Clock)}), frozen at the start of a time step and moved by whole steps: codes one step
 * either side are accepted, two are not; an mfa_token and a pending factor expire on time.
 */
class MfaClockSkewTest {
  private static final Duration STEP = Duration.ofSeconds(Totp.PERIOD_SECONDS);
  private static SessionLifetimeTest.MovableClock clock;
  private static TestServer server;
  private static MfaClient client;

  @BeforeAll
  static void start() {
    // 2031-01-01T00:00:00Z is a multiple of 30 s: the clock sits at the start of a step
    clock = new SessionLifetimeTest.MovableClock(Instant.parse("2031-01-01T00:00:00Z"));
    server = TestServer.start(TestServer.baseEnv(), Map.of(), clock);
    client = new MfaClient(server, clock);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void oneStepOfSkewIsAcceptedEitherSideTwoAreNot() {
    TestUser u = TestUsers.signup(server);
    MfaClient.Factor f = client.enrolAndActivate(u); // uses step S-1
    long s = client.step();
    assertProblem(
        client.verify(client.mfaToken(u), MfaClient.code(f.secret(), s + 2)), 401, "invalid_code");
    assertProblem(
        client.verify(client.mfaToken(u), MfaClient.code(f.secret(), s - 2)), 401, "invalid_code");
    // the phone is a step ahead
    HttpResponse<Buffer> ahead =
        client.verify(client.mfaToken(u), MfaClient.code(f.secret(), s + 1));
    assertEquals(200, ahead.statusCode(), ahead::bodyAsString);

    clock.advance(STEP.multipliedBy(3)); // now S+3
    assertProblem(
        client.verify(client.mfaToken(u), MfaClient.code(f.secret(), s + 1)), 401, "invalid_code");
    // the phone is a step behind
    HttpResponse<Buffer> behind =
        client.verify(client.mfaToken(u), MfaClient.code(f.secret(), s + 2));
    assertEquals(200, behind.statusCode(), behind::bodyAsString);
  }

  @Test
  void anMfaTokenExpiresAfterFiveMinutes() {
    TestUser u = TestUsers.signup(server);
    MfaClient.Factor f = client.enrolAndActivate(u);
    String token = client.mfaToken(u);
    clock.advance(MfaChallenges.TTL.plusSeconds(1));
    assertProblem(
        client.verify(token, MfaClient.code(f.secret(), client.step())), 401, "mfa_token_expired");
    HttpResponse<Buffer> fresh =
        client.verify(client.mfaToken(u), MfaClient.code(f.secret(), client.step()));
    assertEquals(200, fresh.statusCode(), fresh::bodyAsString);
  }

  @Test
  void anUnactivatedFactorExpiresAfterTenMinutes() {
    TestUser u = TestUsers.signup(server);
    HttpResponse<Buffer> enrolled = client.enrol(u);
    String id = enrolled.bodyAsJsonObject().getString("factor_id");
    byte[] secret = MfaClient.decode(enrolled.bodyAsJsonObject().getString("secret"));
    clock.advance(MfaService.PENDING.plusSeconds(1));
    assertProblem(
        client.activate(u, id, MfaClient.code(secret, client.step())), 410, "factor_expired");
    assertEquals(
        0,
        server
            .send(TestUsers.as(server, u, io.vertx.core.http.HttpMethod.GET, "/api/v1/me/mfa"))
            .bodyAsJsonObject()
            .getJsonArray("factors")
            .size());
  }
}
