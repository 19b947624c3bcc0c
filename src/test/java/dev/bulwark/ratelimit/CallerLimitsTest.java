package dev.bulwark.ratelimit;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.bulwark.testing.RedisCommandStats;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Redis;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Limits that depend on who the caller is: a bad credential is counted against its address before
 * it is answered, and refresh counts per token family as well as per address.
 */
class CallerLimitsTest {

  private static HttpResponse<Buffer> me(TestServer server, String authorization) {
    return server.send(
        server.request(HttpMethod.GET, "/api/v1/me").putHeader("Authorization", authorization));
  }

  private static HttpResponse<Buffer> refresh(TestServer server, String token) {
    return server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
        new JsonObject().put("refresh_token", token));
  }

  @Test
  void aFloodOfForgedTokensFromOneAddressIsRateLimited() {
    String name = RateLimitTest.uniqueName();
    try (TestServer server =
        TestServer.start(
            RateLimitTest.env(RateLimitTest.rule(name, "/**", "ip", "5/1m")), Map.of())) {
      String forged =
          "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLW9mLW5vYm9keQ";
      for (int i = 1; i <= 5; i++) {
        HttpResponse<Buffer> r = me(server, "Bearer " + forged);
        assertProblem(r, 401, "invalid_signature");
        assertEquals(
            Integer.toString(5 - i),
            r.getHeader("X-RateLimit-Remaining"),
            "counted before it was answered");
      }
      HttpResponse<Buffer> refused = me(server, "Bearer " + forged);
      assertProblem(refused, 429, "rate_limited");
      assertNotNull(refused.getHeader("Retry-After"));
      assertProblem(me(server, "Bearer not-even-a-jwt"), 429, "rate_limited");
      assertProblem(server.get("/api/v1/me"), 429, "rate_limited");
    }
  }

  /**
   * What each kind of request costs in Redis: one script call per check, carrying every principal
   * of that check. A bad token costs its address's call; a refresh costs two calls sent one after
   * the other (the address's, then, once the family has been read from PostgreSQL, the session's);
   * an authenticated read costs one call for its address and its user — one command, nothing else.
   */
  @Test
  void scriptCallsPerRequest() {
    try (TestServer server =
        TestServer.start(
            RateLimitTest.env(
                RateLimitTest.rule(RateLimitTest.uniqueName(), "/**", "ip", "1000/1m"),
                RateLimitTest.rule(
                    RateLimitTest.uniqueName(), "POST /api/v1/auth/*", "session_or_ip", "1000/1m")),
            Map.of())) {
      TestUser alice = TestUsers.signup(server);
      Redis redis = Redis.createClient(server.vertx(), TestServices.get().redisUrl());
      try {
        assertEquals(
            1,
            scriptCalls(redis, 0, () -> assertEquals(200, me(server, alice.bearer()).statusCode())),
            "an authenticated read: one call for the address and the user");
        assertEquals(
            1,
            scriptCalls(redis, 0, () -> assertEquals(401, me(server, "Bearer x.y.z").statusCode())),
            "a bad token: the address's call only");
        // (minting the new pair then reads the user's not-before stamp: one GET, outside the gate)
        assertEquals(
            2,
            scriptCalls(
                redis,
                1,
                () -> assertEquals(200, refresh(server, alice.refreshToken()).statusCode())),
            "a refresh: the address's call, then the session's");
      } finally {
        redis.close();
      }
    }
  }

  /**
   * The gate's script calls {@code request} cost, after checking it cost {@code otherCommands}
   * other commands. The suite's Redis is shared with every server the run keeps up, and each renews
   * its signing-key fingerprint with an EVAL now and then (whose script's HGETALL and HSET Redis
   * counts too): in a window where that happened, those are not the request's.
   */
  private static long scriptCalls(Redis redis, long otherCommands, Runnable request) {
    String before = RedisCommandStats.snapshot(redis);
    request.run();
    String after = RedisCommandStats.snapshot(redis);
    long other = RateLimitTest.otherCommands(after) - RateLimitTest.otherCommands(before);
    if (delta(before, after, "eval") > 0) {
      other -= delta(before, after, "hgetall") + delta(before, after, "hset");
    }
    assertEquals(otherCommands, other, "other Redis commands");
    return delta(before, after, "evalsha");
  }

  private static long delta(String before, String after, String command) {
    return RedisCommandStats.calls(after, command) - RedisCommandStats.calls(before, command);
  }

  @Test
  void refreshCountsPerTokenFamilySoUsersBehindOneAddressDoNotShareABudget() {
    String family = RateLimitTest.uniqueName();
    String address = RateLimitTest.uniqueName();
    try (TestServer server =
        TestServer.start(
            RateLimitTest.env(
                RateLimitTest.rule(family, "POST /api/v1/auth/refresh", "session_or_ip", "3/1m"),
                RateLimitTest.rule(address, "POST /api/v1/auth/refresh", "ip", "7/1m")),
            Map.of())) {
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
      assertEquals(
          family + "-1m", aliceRefused.getString("policy"), "alice's family has used its budget");

      token = bob.refreshToken();
      for (int i = 0; i < 3; i++) {
        HttpResponse<Buffer> r = refresh(server, token);
        assertEquals(
            200,
            r.statusCode(),
            "bob, from the same address, has a budget of his own: " + r.bodyAsString());
        token = r.bodyAsJsonObject().getString("refresh_token");
      }

      JsonObject carolRefused =
          assertProblem(refresh(server, carol.refreshToken()), 429, "rate_limited");
      assertEquals(
          address + "-1m",
          carolRefused.getString("policy"),
          "the address's own limit still applies");
    }
  }

  @Test
  void refreshTokensNoFamilyHoldsCountAgainstTheAddress() {
    String family = RateLimitTest.uniqueName();
    try (TestServer server =
        TestServer.start(
            RateLimitTest.env(
                RateLimitTest.rule(family, "POST /api/v1/auth/refresh", "session_or_ip", "3/1m")),
            Map.of())) {
      TestUser alice = TestUsers.signup(server);
      String guessed = "A".repeat(43);
      for (int i = 0; i < 3; i++) {
        assertProblem(refresh(server, guessed), 401, "invalid_refresh_token");
      }
      assertProblem(refresh(server, guessed), 429, "rate_limited");
      assertProblem(refresh(server, "not a token"), 429, "rate_limited");
      assertEquals(
          200,
          refresh(server, alice.refreshToken()).statusCode(),
          "a real family has a budget of its own");
    }
  }
}
