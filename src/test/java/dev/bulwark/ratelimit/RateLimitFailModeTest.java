package dev.bulwark.ratelimit;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * Redis stopped under a running Bulwark, under each {@code rateLimit.failMode}, then started again:
 * no 5xx unless the operator chose {@code closed}, {@code /ready} reports it, and limiting returns
 * to Redis without a restart.
 */
class RateLimitFailModeTest {
  private static final Map<String, String> FAST_RETRY =
      Map.of("rateLimit.redisRetry", "200ms", "redis.commandTimeout", "300ms");

  private int redisPort;
  private RedisServer redis;

  @BeforeEach
  void startOwnRedis() throws IOException {
    redisPort = TestServices.freePort();
    redis = TestServices.startRedis(redisPort);
  }

  @AfterEach
  void stopOwnRedis() throws IOException {
    if (redis != null && redis.isActive()) {
      redis.stop();
    }
  }

  private TestServer start(String failMode, String name) {
    Map<String, String> env =
        RateLimitTest.env(RateLimitTest.rule(name, "GET /api/status", "ip", "3/1m"));
    env.put("REDIS_URL", "redis://127.0.0.1:" + redisPort);
    env.put("RATE_LIMIT_FAIL_MODE", failMode);
    return TestServer.start(env, FAST_RETRY);
  }

  private void restartRedis() throws IOException {
    redis = TestServices.startRedis(redisPort);
  }

  /**
   * Polls until {@code /api/status} is decided by Redis again: a fresh Redis shows this limit's
   * first request.
   */
  private static HttpResponse<Buffer> awaitRedisDecision(TestServer server) {
    HttpResponse<Buffer> last = null;
    for (int i = 0; i < 100; i++) {
      last = server.get("/api/status");
      if (last.statusCode() == 200 && "2".equals(last.getHeader("X-RateLimit-Remaining"))) {
        return last;
      }
      RateLimitTest.sleep(100);
    }
    throw new AssertionError(
        "limiting did not return to Redis; last: " + last.statusCode() + " " + last.headers());
  }

  @Test
  void localKeepsLimitingInMemoryAndReturnsToRedis() throws IOException {
    try (TestServer server = start("local", RateLimitTest.uniqueName())) {
      TestUser user = TestUsers.signup(server);
      assertEquals("2", server.get("/api/status").getHeader("X-RateLimit-Remaining"));
      redis.stop();

      for (int i = 1; i <= 3; i++) {
        HttpResponse<Buffer> r = server.get("/api/status");
        assertEquals(200, r.statusCode(), "request " + i + " without Redis");
        assertEquals(
            Integer.toString(3 - i),
            r.getHeader("X-RateLimit-Remaining"),
            "this process's own window");
      }
      assertProblem(server.get("/api/status"), 429, "rate_limited");
      assertEquals(
          200,
          server.send(TestUsers.as(server, user, HttpMethod.GET, "/api/v1/me")).statusCode(),
          "signed-in requests go on (revocation is checked in PostgreSQL meanwhile)");
      HttpResponse<Buffer> ready = server.get("/ready");
      assertEquals(503, ready.statusCode());
      assertEquals(
          "DOWN",
          ready
              .bodyAsJsonObject()
              .getJsonObject("checks")
              .getJsonObject("redis")
              .getString("status"),
          ready::bodyAsString);

      restartRedis();
      awaitRedisDecision(server);
      assertEquals(200, server.get("/ready").statusCode());
    }
  }

  @Test
  void openLetsEverythingThroughWithoutHeaders() throws IOException {
    try (TestServer server = start("open", RateLimitTest.uniqueName())) {
      redis.stop();
      for (int i = 0; i < 6; i++) {
        HttpResponse<Buffer> r = server.get("/api/status");
        assertEquals(200, r.statusCode());
        assertNull(r.getHeader("RateLimit-Policy"), "no decision, so no headers");
      }
      restartRedis();
      assertNotNull(awaitRedisDecision(server).getHeader("RateLimit-Policy"));
    }
  }

  @Test
  void closedRefusesWith503UntilRedisReturns() throws IOException {
    try (TestServer server = start("closed", RateLimitTest.uniqueName())) {
      redis.stop();
      for (int i = 0; i < 3; i++) {
        HttpResponse<Buffer> r = server.get("/api/status");
        assertProblem(r, 503, "rate_limit_unavailable");
        assertTrue(Long.parseLong(r.getHeader("Retry-After")) >= 1);
      }
      assertEquals(200, server.get("/health").statusCode(), "liveness is not gated");
      restartRedis();
      awaitRedisDecision(server);
    }
  }
}
