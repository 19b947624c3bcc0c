package dev.bulwark.ratelimit;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.infra.Metrics;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.RedisCommandStats;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The limiter against the shared test Redis, through real HTTP. Each test names its rules uniquely,
 * so its counters (keyed by rule name) are its own even though every request comes from 127.0.0.1.
 */
class RateLimitTest {

  static String uniqueName() {
    return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  static String rule(String name, String match, String key, String... limits) {
    return new JsonObject()
        .put("name", name)
        .put("match", match)
        .put("key", key)
        .put("limits", new JsonArray(java.util.List.of((Object[]) limits)))
        .encode();
  }

  static Map<String, String> env(String... rules) {
    Map<String, String> env = TestServer.baseEnv();
    env.put("RATE_LIMIT_RULES", "[" + String.join(",", rules) + "]");
    return env;
  }

  static HttpResponse<Buffer> status(TestServer server, String forwardedFor) {
    var request = server.request(HttpMethod.GET, "/api/status");
    if (forwardedFor != null) {
      request.putHeader("X-Forwarded-For", forwardedFor);
    }
    return server.send(request);
  }

  @Test
  void headCountsAgainstTheRulesOfTheGetItMirrors() {
    String name = uniqueName();
    try (TestServer server =
        TestServer.start(env(rule(name, "GET /api/status", "ip", "2/1m")), Map.of())) {
      for (int i = 1; i <= 2; i++) {
        HttpResponse<Buffer> r = server.send(server.request(HttpMethod.HEAD, "/api/status"));
        assertEquals(200, r.statusCode(), "request " + i);
        assertEquals(Integer.toString(2 - i), r.getHeader("X-RateLimit-Remaining"));
      }
      assertEquals(429, server.send(server.request(HttpMethod.HEAD, "/api/status")).statusCode());
      assertProblem(server.get("/api/status"), 429, "rate_limited");
    }
  }

  @Test
  void exactlyTheLimitPassesAndTheNextIsRefusedWithHeadersOnBoth() {
    String name = uniqueName();
    try (TestServer server =
        TestServer.start(env(rule(name, "GET /api/status", "ip", "3/1m")), Map.of())) {
      for (int i = 1; i <= 3; i++) {
        HttpResponse<Buffer> r = server.get("/api/status");
        assertEquals(200, r.statusCode(), "request " + i);
        assertEquals("3", r.getHeader("X-RateLimit-Limit"));
        assertEquals(Integer.toString(3 - i), r.getHeader("X-RateLimit-Remaining"), "request " + i);
        long reset = Long.parseLong(r.getHeader("X-RateLimit-Reset"));
        assertTrue(reset >= 1 && reset <= 60, "reset " + reset);
        assertEquals("\"" + name + "-1m\";q=3;w=60", r.getHeader("RateLimit-Policy"));
        assertEquals("\"" + name + "-1m\";r=" + (3 - i) + ";t=" + reset, r.getHeader("RateLimit"));
        assertNull(r.getHeader("Retry-After"));
      }
      HttpResponse<Buffer> refused = server.get("/api/status");
      JsonObject problem = assertProblem(refused, 429, "rate_limited");
      assertEquals(name + "-1m", problem.getString("policy"));
      long retryAfter = Long.parseLong(refused.getHeader("Retry-After"));
      assertTrue(retryAfter >= 1 && retryAfter <= 120, "Retry-After " + retryAfter);
      assertEquals("0", refused.getHeader("X-RateLimit-Remaining"));
      assertEquals("3", refused.getHeader("X-RateLimit-Limit"));
      assertEquals(Long.toString(retryAfter), refused.getHeader("X-RateLimit-Reset"));
      assertEquals("\"" + name + "-1m\";r=0;t=" + retryAfter, refused.getHeader("RateLimit"));
      assertNotNull(refused.getHeader("X-Request-Id"));

      long ttl = pttl(server, "bw:{ip:127.0.0.1}:rl:" + name + ":60");
      assertTrue(
          ttl > 60_000 && ttl <= 120_000,
          "the counter expires on its own within two windows: " + ttl);
      assertEquals(200, server.get("/health").statusCode(), "probes are never limited");
      assertNull(server.get("/health").getHeader("RateLimit-Policy"));
      assertNull(
          server.get("/openapi.yaml").getHeader("RateLimit-Policy"),
          "a route no rule matches has no headers");
    }
  }

  @Test
  void theWindowSlides() throws InterruptedException {
    String name = uniqueName();
    try (TestServer server =
        TestServer.start(env(rule(name, "GET /api/status", "ip", "2/2s")), Map.of())) {
      assertEquals(200, server.get("/api/status").statusCode());
      assertEquals(200, server.get("/api/status").statusCode());
      HttpResponse<Buffer> refused = server.get("/api/status");
      assertEquals(429, refused.statusCode());
      long retryAfter = Long.parseLong(refused.getHeader("Retry-After"));
      assertTrue(
          retryAfter >= 1 && retryAfter <= 4,
          "at most the rest of this window and the next: " + retryAfter);
      Thread.sleep(retryAfter * 1000);
      assertEquals(
          200, server.get("/api/status").statusCode(), "after Retry-After one request fits again");
      Thread.sleep(4_100);
      HttpResponse<Buffer> fresh = server.get("/api/status");
      assertEquals(
          "1",
          fresh.getHeader("X-RateLimit-Remaining"),
          "two windows later the budget is whole again");
    }
  }

  @Test
  void twoInstancesShareOneBudget() {
    String name = uniqueName();
    Map<String, String> envA = env(rule(name, "GET /api/status", "ip", "4/1m"));
    Map<String, String> envB = new HashMap<>(envA);
    envB.put("HTTP_PORT", Integer.toString(TestServices.freePort()));
    try (TestServer a = TestServer.start(envA, Map.of());
        TestServer b = TestServer.start(envB, Map.of())) {
      assertEquals(200, a.get("/api/status").statusCode());
      assertEquals(200, b.get("/api/status").statusCode());
      assertEquals(200, a.get("/api/status").statusCode());
      HttpResponse<Buffer> last = b.get("/api/status");
      assertEquals(200, last.statusCode());
      assertEquals("0", last.getHeader("X-RateLimit-Remaining"));
      assertEquals(429, a.get("/api/status").statusCode());
      assertEquals(429, b.get("/api/status").statusCode());
    }
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored() {
    String name = uniqueName();
    try (TestServer server =
        TestServer.start(env(rule(name, "GET /api/status", "ip", "2/1m")), Map.of())) {
      assertEquals(200, status(server, "203.0.113.1").statusCode());
      assertEquals(200, status(server, "203.0.113.2").statusCode());
      assertEquals(
          429,
          status(server, "203.0.113.3").statusCode(),
          "every forged address shares the peer's budget");
      assertEquals(1L, exists(server, "bw:{ip:127.0.0.1}:rl:" + name + ":60"));
      assertEquals(0L, exists(server, "bw:{ip:203.0.113.1}:rl:" + name + ":60"));
    }
  }

  @Test
  void forwardedForFromATrustedProxyNamesTheClient() {
    String name = uniqueName();
    Map<String, String> env = env(rule(name, "GET /api/status", "ip", "2/1m"));
    env.put("RATE_LIMIT_TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8");
    try (TestServer server = TestServer.start(env, Map.of())) {
      assertEquals(200, status(server, "203.0.113.1").statusCode());
      assertEquals(
          200,
          status(server, "198.51.100.7, 203.0.113.1").statusCode(),
          "the left part is the client's to forge");
      assertEquals(
          429, status(server, "203.0.113.1, 10.1.2.3").statusCode(), "trusted hops are skipped");
      assertEquals(
          200, status(server, "203.0.113.2").statusCode(), "another client has its own budget");
      assertEquals(200, status(server, null).statusCode(), "no header: the proxy itself");
      assertEquals(1L, exists(server, "bw:{ip:203.0.113.1}:rl:" + name + ":60"));
      assertEquals(0L, exists(server, "bw:{ip:198.51.100.7}:rl:" + name + ":60"));
    }
  }

  @Test
  void ipv6ClientsShareTheBudgetOfTheirSlash64() {
    String name = uniqueName();
    Map<String, String> env = env(rule(name, "GET /api/status", "ip", "2/1m"));
    env.put("RATE_LIMIT_TRUSTED_PROXIES", "127.0.0.1");
    try (TestServer server = TestServer.start(env, Map.of())) {
      assertEquals(200, status(server, "2001:db8:1:2::1").statusCode());
      assertEquals(200, status(server, "[2001:db8:1:2:ffff:ffff:ffff:ffff]:443").statusCode());
      assertEquals(
          429, status(server, "2001:0db8:0001:0002::abcd").statusCode(), "same /64, any spelling");
      assertEquals(
          200, status(server, "2001:db8:1:3::1").statusCode(), "the next /64 is another client");
      assertEquals(1L, exists(server, "bw:{ip:2001:db8:1:2::/64}:rl:" + name + ":60"));
    }
  }

  @Test
  void userRulesCountPerUserAndRevocationTravelsInTheSameRoundTrip() {
    String perUser = uniqueName();
    String perIp = uniqueName();
    try (TestServer server =
        TestServer.start(
            env(
                rule(perUser, "GET /api/v1/me", "user", "3/1m"),
                rule(perIp, "/**", "ip", "1000/1m")),
            Map.of())) {
      TestUser alice = TestUsers.signup(server);
      TestUser bob = TestUsers.signup(server);
      Redis redis = Redis.createClient(server.vertx(), TestServices.get().redisUrl());
      try {
        // The suite's Redis is shared with every server the run keeps up; each renews its
        // signing-key fingerprint with an EVAL now and then, whose script's commands Redis counts
        // too. A window in which one ran is measured again, with a user of its own.
        for (int attempt = 1; ; attempt++) {
          TestUser user = attempt == 1 ? alice : TestUsers.signup(server);
          String before = RedisCommandStats.snapshot(redis);
          for (int i = 0; i < 3; i++) {
            HttpResponse<Buffer> r =
                server.send(TestUsers.as(server, user, HttpMethod.GET, "/api/v1/me"));
            assertEquals(200, r.statusCode());
            assertEquals(
                Integer.toString(2 - i),
                r.getHeader("X-RateLimit-Remaining"),
                "the tightest limit is shown");
            assertEquals(
                "\"" + perIp + "-1m\";q=1000;w=60, \"" + perUser + "-1m\";q=3;w=60",
                r.getHeader("RateLimit-Policy"),
                "every limit that applies: the address's, then the user's");
          }
          String after = RedisCommandStats.snapshot(redis);
          if (RedisCommandStats.calls(after, "eval") == RedisCommandStats.calls(before, "eval")
              || attempt == 5) {
            assertEquals(
                3,
                RedisCommandStats.calls(after, "evalsha")
                    - RedisCommandStats.calls(before, "evalsha"),
                "one script call per request, carrying both principals ({ip:..} and {u:..})");
            assertEquals(
                0,
                otherCommands(after) - otherCommands(before),
                "and nothing else: revocation is inside the user's call");
            break;
          }
        }
      } finally {
        redis.close();
      }
      assertProblem(
          server.send(TestUsers.as(server, alice, HttpMethod.GET, "/api/v1/me")),
          429,
          "rate_limited");
      assertEquals(
          200,
          server.send(TestUsers.as(server, bob, HttpMethod.GET, "/api/v1/me")).statusCode(),
          "bob's budget is his own");
      assertProblem(server.get("/api/v1/me"), 401, "missing_token");

      HttpResponse<Buffer> logout =
          server.send(
              TestUsers.as(server, bob, HttpMethod.POST, "/api/v1/auth/logout"),
              new JsonObject().put("refresh_token", bob.refreshToken()));
      assertTrue(logout.statusCode() == 204 || logout.statusCode() == 200, logout::bodyAsString);
      assertProblem(
          server.send(TestUsers.as(server, bob, HttpMethod.GET, "/api/v1/me")),
          401,
          "token_revoked");
    }
  }

  @Test
  void everyRefusalIsCountedAndOneSecurityEventIsWrittenPerWindow() {
    String name = uniqueName();
    try (TestServer server =
        TestServer.start(env(rule(name, "GET /api/status", "ip", "1/1m")), Map.of())) {
      long before = Metrics.total(Metrics.Event.RATE_LIMIT_REJECTED);
      assertEquals(200, server.get("/api/status").statusCode());
      for (int i = 0; i < 4; i++) {
        assertEquals(429, server.get("/api/status").statusCode());
      }
      assertEquals(4, Metrics.total(Metrics.Event.RATE_LIMIT_REJECTED) - before);
      var pg = server.app().pg();
      long events = 0;
      for (int attempt = 0; attempt < 50 && events == 0; attempt++) {
        events =
            Await.result(
                    pg.preparedQuery(
                            "SELECT count(*) FROM audit_events WHERE event_type = 'rate_limited' "
                                + "AND details->>'policy' = $1")
                        .execute(Tuple.of(name + "-1m")))
                .iterator()
                .next()
                .getLong(0);
        if (events == 0) {
          sleep(100);
        }
      }
      assertEquals(1, events, "repeated refusals of one client within a window: one event");
      String scrape = server.get("/metrics").bodyAsString();
      assertTrue(
          scrape.contains("bulwark_events_total{event=\"rate_limit_rejected\"}"),
          "exported to Prometheus");
    }
  }

  @Test
  void aFlushedScriptCacheIsRefilledWithoutFailingARequest() {
    String name = uniqueName();
    try (TestServer server =
        TestServer.start(env(rule(name, "GET /api/status", "ip", "5/1m")), Map.of())) {
      assertEquals("4", server.get("/api/status").getHeader("X-RateLimit-Remaining"));
      Redis redis = Redis.createClient(server.vertx(), TestServices.get().redisUrl());
      try {
        Await.result(redis.send(Request.cmd(Command.SCRIPT).arg("FLUSH")));
      } finally {
        redis.close();
      }
      HttpResponse<Buffer> r = server.get("/api/status");
      assertEquals(200, r.statusCode());
      assertEquals(
          "3", r.getHeader("X-RateLimit-Remaining"), "counted once, by EVAL after NOSCRIPT");
    }
  }

  static long exists(TestServer server, String key) {
    Redis redis = Redis.createClient(server.vertx(), TestServices.get().redisUrl());
    try {
      return Await.result(redis.send(Request.cmd(Command.EXISTS).arg(key))).toLong();
    } finally {
      redis.close();
    }
  }

  static long pttl(TestServer server, String key) {
    Redis redis = Redis.createClient(server.vertx(), TestServices.get().redisUrl());
    try {
      return Await.result(redis.send(Request.cmd(Command.PTTL).arg(key))).toLong();
    } finally {
      redis.close();
    }
  }

  /** Client commands other than the scripts, housekeeping and what scripts run inside Redis. */
  static long otherCommands(String info) {
    return RedisCommandStats.callsExcept(
        info,
        "evalsha|eval|hello|select|client|ping|info|auth|time|mget|hmget|hincrby|hdel|pexpire|exists");
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
