package dev.bulwark.ratelimit;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Limits that depend on who the caller is: a bad credential is counted against its address before it is answered,
 * and refresh counts per token family as well as per address.
 */
class CallerLimitsTest {

  private static HttpResponse<Buffer> me(TestServer server, String authorization) {
    return server.send(server.request(HttpMethod.GET, "/api/v1/me").putHeader("Authorization", authorization));
  }

  private static HttpResponse<Buffer> refresh(TestServer server, String token) {
    return server.send(server.request(HttpMethod.POST, "/api/v1/auth/refresh"), new JsonObject().put("refresh_token", token));
  }

  @Test
  void aFloodOfForgedTokensFromOneAddressIsRateLimited() {
    String name = RateLimitTest.uniqueName();
    try (TestServer server = TestServer.start(RateLimitTest.env(RateLimitTest.rule(name, "/**", "ip", "5/1m")), Map.of())) {
      String forged = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLW9mLW5vYm9keQ";
      for (int i = 1; i <= 5; i++) {
        HttpResponse<Buffer> r = me(server, "Bearer " + forged);
        assertProblem(r, 401, "invalid_signature");
        assertEquals(Integer.toString(5 - i), r.getHeader("X-RateLimit-Remaining"), "counted before it was answered");
      }
      HttpResponse<Buffer> refused = me(server, "Bearer " + forged);
      assertProblem(refused, 429, "rate_limited");
      assertNotNull(refused.getHeader("Retry-After"));
      assertProblem(me(server, "Bearer not-even-a-jwt"), 429, "rate_limited");
      assertProblem(server.get("/api/v1/me"), 429, "rate_limited");
    }
  }

  @Test
  void refreshCountsPerTokenFamilySoUsersBehindOneAddressDoNotShareABudget() {
    String family = RateLimitTest.uniqueName();
    String address = RateLimitTest.uniqueName();
    try (TestServer server = TestServer.start(RateLimitTest.env(
        RateLimitTest.rule(family, "POST /api/v1/auth/refresh", "session_or_ip", "3/1m"),
        RateLimitTest.rule(address, "POST /api/v1/auth/refresh", "ip", "7/1m")), Map.of())) {
      TestUser alice = TestUsers.signup(server);
      TestUser bob = TestUsers.signup(server);
      TestUser carol = TestUsers.signup(server);

      String token = alice.refreshToken();
      for (int i = 0; i < 3; i++) {
        HttpResponse<Buffer> r = refresh(server, token);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        token = r.bodyAsJsonObject().getString("refresh_token");
      }
      JsonObject aliceRefused = assertProblem(refresh(server, token), 429, "rate_limited");
      assertEquals(family + "-1m", aliceRefused.getString("policy"), "alice's family has used its budget");

      token = bob.refreshToken();
      for (int i = 0; i < 3; i++) {
        HttpResponse<Buffer> r = refresh(server, token);
        assertEquals(200, r.statusCode(), "bob, from the same address, has a budget of his own: " + r.bodyAsString());
        token = r.bodyAsJsonObject().getString("refresh_token");
      }

      JsonObject carolRefused = assertProblem(refresh(server, carol.refreshToken()), 429, "rate_limited");
      assertEquals(address + "-1m", carolRefused.getString("policy"), "the address's own limit still applies");
    }
  }

  @Test
  void refreshTokensNoFamilyHoldsCountAgainstTheAddress() {
    String family = RateLimitTest.uniqueName();
    try (TestServer server = TestServer.start(RateLimitTest.env(
        RateLimitTest.rule(family, "POST /api/v1/auth/refresh", "session_or_ip", "3/1m")), Map.of())) {
      TestUser alice = TestUsers.signup(server);
      String guessed = "A".repeat(43);
      for (int i = 0; i < 3; i++) {
        assertProblem(refresh(server, guessed), 401, "invalid_refresh_token");
      }
      assertProblem(refresh(server, guessed), 429, "rate_limited");
      assertProblem(refresh(server, "not a token"), 429, "rate_limited");
      assertEquals(200, refresh(server, alice.refreshToken()).statusCode(), "a real family has a budget of its own");
    }
  }
}
