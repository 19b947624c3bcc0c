package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.ratelimit.PrincipalKeys;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.http.HttpMethod;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisSentinel;
import redis.embedded.RedisServer;

/**
 * Bulwark through a real Redis Sentinel ({@code redis-sentinel://…?master=}): revocation markers
 * land on the master Sentinel names; while that master has been demoted (a read-only replica of
 * something else) a logout is still refused at the next request, and its markers are written back
 * once the master takes writes again.
 */
class RedisSentinelTest {
  private static RedisServer master;
  private static RedisServer other;
  private static RedisSentinel sentinel;
  private static int masterPort;
  private static int otherPort;
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    masterPort = TestServices.freePort();
    master = TestServices.startRedis(masterPort);
    otherPort = TestServices.freePort();
    other = TestServices.startRedis(otherPort);
    int sentinelPort = TestServices.freePort();
    sentinel =
        RedisSentinel.newRedisSentinel()
            .bind("127.0.0.1")
            .port(sentinelPort)
            .masterPort(masterPort)
            .masterName("bulwark")
            .quorumSize(1)
            .downAfterMilliseconds(60_000)
            .build();
    sentinel.start();
    Map<String, String> env = TestServer.baseEnv();
    env.put("REDIS_URL", "redis-sentinel://127.0.0.1:" + sentinelPort + "?master=bulwark");
    server =
        TestServer.start(
            env, Map.of("rateLimit.redisRetry", "200ms", "redis.commandTimeout", "300ms"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    sentinel.stop();
    other.stop();
    master.stop();
  }

  private static String onMaster(Request request) {
    Redis redis = Redis.createClient(server.vertx(), "redis://127.0.0.1:" + masterPort);
    try {
      var reply = Await.result(redis.send(request));
      return reply == null ? null : reply.toString();
    } finally {
      redis.close();
    }
  }

  private static int logout(TestUser u) {
    return server
        .send(TestUsers.as(server, u, HttpMethod.POST, "/api/v1/auth/logout"))
        .statusCode();
  }

  private static String sessionMarker(TestUser u) {
    return PrincipalKeys.user(u.id().toString(), "sid:" + u.sessionId());
  }

  @Test
  void markersLandOnTheMasterSentinelNamesAndADemotedMasterLosesNoRevocation() {
    TestUser u = TestUsers.signup(server);
    assertEquals(204, logout(u));
    assertEquals("1", onMaster(Request.cmd(Command.EXISTS).arg(sessionMarker(u))));
    assertProblem(
        server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me")), 401, "token_revoked");

    TestUser v = TestUsers.signup(server);
    onMaster(Request.cmd(Command.REPLICAOF).arg("127.0.0.1").arg(otherPort));
    try {
      assertEquals(204, logout(v), "logout works while Sentinel's master is read-only");
      assertProblem(
          server.send(TestUsers.as(server, v, HttpMethod.GET, "/api/v1/me")), 401, "token_revoked");
    } finally {
      onMaster(Request.cmd(Command.REPLICAOF).arg("NO").arg("ONE"));
    }
    for (int i = 0; i < 100; i++) {
      server.send(TestUsers.as(server, v, HttpMethod.GET, "/api/v1/me"));
      if ("1".equals(onMaster(Request.cmd(Command.EXISTS).arg(sessionMarker(v))))) {
        break;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    assertEquals(
        "1",
        onMaster(Request.cmd(Command.EXISTS).arg(sessionMarker(v))),
        "the marker owed was written back once the master took writes again");
    assertProblem(
        server.send(TestUsers.as(server, v, HttpMethod.GET, "/api/v1/me")), 401, "token_revoked");
  }
}
