package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Nobody can lock someone else out. Clients are told apart by address through a trusted proxy
 * (127.0.0.1 here, so tests choose the address with X-Forwarded-For): 3 failures lock an address
 * out of an account, 6 from all addresses together lock out every client without a device token for
 * it, and a device token brakes only its device.
 */
@BulwarkTest(
    env = "RATE_LIMIT_TRUSTED_PROXIES=127.0.0.1",
    props = {
      "auth.lockout.threshold=3",
      "auth.lockout.accountThreshold=6",
      "auth.lockout.baseDelay=30s"
    })
class LoginLockoutTest {
  private static final String ATTACKER = "203.0.113.66";
  private static final String OWNER = "198.51.100.7";
  @BulwarkTest.Server private static TestServer server;

  private static HttpResponse<Buffer> login(
      String from, String email, String password, String deviceToken) {
    JsonObject body = new JsonObject().put("email", email).put("password", password);
    if (deviceToken != null) {
      body.put("device_token", deviceToken);
    }
    return server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/login").putHeader("X-Forwarded-For", from),
        body);
  }

  private static HttpResponse<Buffer> login(String from, String email, String password) {
    return login(from, email, password, null);
  }

  @Test
  void anAttackerElsewhereCannotLockTheOwnerOut() {
    TestUser u = TestUsers.signup(server);
    for (int i = 0; i < 3; i++) {
      assertProblem(login(ATTACKER, u.email(), "guess-" + i), 401, "invalid_credentials");
    }
    assertProblem(login(ATTACKER, u.email(), u.password()), 429, "too_many_attempts");
    HttpResponse<Buffer> owner = login(OWNER, u.email(), u.password());
    assertEquals(
        200,
        owner.statusCode(),
        "the owner, elsewhere, signs in with the right password: " + owner.bodyAsString());
    assertProblem(login(ATTACKER, u.email(), "guess-3"), 429, "too_many_attempts");
    assertEquals(200, login(OWNER, u.email(), u.password()).statusCode(), "and keeps doing so");
  }

  @Test
  void anIpv6ClientIsOneAddressAcrossItsSlash64() {
    TestUser u = TestUsers.signup(server);
    for (int i = 1; i <= 3; i++) {
      assertProblem(
          login("2001:db8:1:2::" + i, u.email(), "guess-" + i), 401, "invalid_credentials");
    }
    assertProblem(login("2001:db8:1:2:ffff::9", u.email(), u.password()), 429, "too_many_attempts");
    assertEquals(
        200,
        login("2001:db8:1:3::1", u.email(), u.password()).statusCode(),
        "the next /64 is someone else");
  }

  @Test
  void guessesFromManyAddressesLockOutStrangersButNotTheOwnersDevice() {
    TestUser u = TestUsers.signup(server);
    HttpResponse<Buffer> first = login(OWNER, u.email(), u.password());
    String deviceToken = first.bodyAsJsonObject().getString("device_token");
    assertNotNull(deviceToken, "login answers a device token");

    for (int i = 1; i <= 6; i++) {
      assertProblem(login("203.0.113." + i, u.email(), "guess-" + i), 401, "invalid_credentials");
    }
    assertProblem(login("192.0.2.50", u.email(), u.password()), 429, "too_many_attempts");
    assertProblem(login(OWNER, u.email(), u.password()), 429, "too_many_attempts");

    HttpResponse<Buffer> known = login("192.0.2.51", u.email(), u.password(), deviceToken);
    assertEquals(
        200,
        known.statusCode(),
        "a device that signed in before is not braked by strangers: " + known.bodyAsString());
    String next = known.bodyAsJsonObject().getString("device_token");
    assertNotEquals(deviceToken, next, "each login answers a fresh token");
    assertEquals(200, login(OWNER, u.email(), u.password(), next).statusCode());

    String forged =
        deviceToken.substring(0, 30)
            + (deviceToken.charAt(30) == 'A' ? 'B' : 'A')
            + deviceToken.substring(31);
    assertProblem(login(OWNER, u.email(), u.password(), forged), 429, "too_many_attempts");
    assertProblem(
        login(OWNER, u.email(), u.password(), "not-a-device-token"), 429, "too_many_attempts");
    TestUser other = TestUsers.signup(server);
    String othersToken =
        login(OWNER, other.email(), other.password()).bodyAsJsonObject().getString("device_token");
    assertProblem(login(OWNER, u.email(), u.password(), othersToken), 429, "too_many_attempts");
  }

  @Test
  void aStolenDeviceTokenBuysOnlyItsOwnSmallBudget() {
    TestUser u = TestUsers.signup(server);
    String deviceToken =
        login(OWNER, u.email(), u.password()).bodyAsJsonObject().getString("device_token");
    String thief = "203.0.113.200";
    for (int i = 0; i < 3; i++) {
      assertProblem(login(thief, u.email(), "guess-" + i, deviceToken), 401, "invalid_credentials");
    }
    // the device token is locked now: it is ignored, and the thief braked by address like anyone
    for (int i = 3; i < 6; i++) {
      assertProblem(login(thief, u.email(), "guess-" + i, deviceToken), 401, "invalid_credentials");
    }
    assertProblem(login(thief, u.email(), u.password(), deviceToken), 429, "too_many_attempts");
    assertEquals(
        200,
        login(OWNER, u.email(), u.password()).statusCode(),
        "the owner, elsewhere, is not locked out");
  }

  @Test
  void wrongCurrentPasswordsBrakeTheSessionThenItsAddressButNeverTheOwnersSignIn() {
    TestUser u = TestUsers.signup(server);
    for (int i = 0; i < 6; i++) {
      // the first 3 count against the session (a device that proved itself), the next 3 against the
      // address
      HttpResponse<Buffer> r =
          server.send(
              TestUsers.as(server, u, HttpMethod.POST, "/api/v1/me/password")
                  .putHeader("X-Forwarded-For", ATTACKER),
              new JsonObject()
                  .put("current_password", "guess-" + i)
                  .put("new_password", "another-Strong-pass-7"));
      assertProblem(r, 401, "invalid_credentials");
    }
    HttpResponse<Buffer> locked =
        server.send(
            TestUsers.as(server, u, HttpMethod.POST, "/api/v1/me/password")
                .putHeader("X-Forwarded-For", ATTACKER),
            new JsonObject()
                .put("current_password", u.password())
                .put("new_password", "another-Strong-pass-7"));
    assertProblem(locked, 429, "too_many_attempts");
    assertEquals(
        200,
        login(OWNER, u.email(), u.password()).statusCode(),
        "a stolen access token guessing the password does not lock the owner's sign-in out");
  }

  @Test
  void signupAnswersADeviceTokenAndRefreshDoesNot() {
    String email = TestUsers.uniqueEmail();
    HttpResponse<Buffer> r =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/signup"),
            new JsonObject().put("email", email).put("password", TestUsers.PASSWORD));
    assertEquals(DeviceTokens.LENGTH, r.bodyAsJsonObject().getString("device_token").length());
    HttpResponse<Buffer> refreshed =
        RefreshRotationTest.refresh(server, r.bodyAsJsonObject().getString("refresh_token"));
    assertNull(refreshed.bodyAsJsonObject().getString("device_token"));
  }

  @Test
  void aMalformedDeviceTokenIs400AndAWrongOneIsNoError() {
    TestUser u = TestUsers.signup(server);
    HttpResponse<Buffer> r =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/login"),
            new JsonObject()
                .put("email", u.email())
                .put("password", u.password())
                .put("device_token", 42));
    assertProblem(r, 400, "validation_failed");
    assertProblem(
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/login"),
            new JsonObject()
                .put("email", u.email())
                .put("password", u.password())
                .put("device_token", "x".repeat(257))),
        400,
        "validation_failed");
    assertEquals(200, login(OWNER, u.email(), u.password(), "x".repeat(54)).statusCode());
    assertEquals(200, login(OWNER, u.email(), u.password(), null).statusCode());
  }

  // ---- the token itself
  // -------------------------------------------------------------------------------------------

  @Test
  void aDeviceTokenIsGoodForItsAccountOnlyAndExpires() {
    String secret = "device-token-test-secret-0123456789-abcdefghij";
    SessionLifetimeTest.MovableClock clock =
        new SessionLifetimeTest.MovableClock(java.time.Instant.parse("2031-01-01T00:00:00Z"));
    DeviceTokens tokens = new DeviceTokens(secret, Duration.ofDays(365), clock);
    UUID user = UUID.randomUUID();
    String token = tokens.issue(user);
    String device = tokens.deviceOf(token, user);
    assertNotNull(device);
    assertEquals(32, device.length());
    assertNull(tokens.deviceOf(token, UUID.randomUUID()), "another account's token");
    assertNull(
        new DeviceTokens("another-secret-0123456789-abcdefghijklmnopq", Duration.ofDays(365), clock)
            .deviceOf(token, user),
        "another server's token");
    assertNotEquals(
        device, tokens.deviceOf(tokens.issue(user), user), "every token names a new device");
    clock.advance(Duration.ofDays(365));
    assertEquals(device, tokens.deviceOf(token, user));
    clock.advance(Duration.ofSeconds(1));
    assertNull(tokens.deviceOf(token, user), "expired");
    assertNull(tokens.deviceOf(null, user));
    assertNull(tokens.deviceOf("!".repeat(DeviceTokens.LENGTH), user));
    assertEquals(Clock.class, clock.getClass().getSuperclass());
  }
}
