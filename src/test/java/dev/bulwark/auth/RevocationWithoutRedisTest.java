package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * Revocation with Redis stopped under a running Bulwark: logout, logout-all, session deletion and
 * password change still take effect (PostgreSQL is the record, and the gate asks it while Redis
 * cannot answer), none of them answers 503, and once Redis is back the markers it missed are
 * written back before Redis alone is trusted again.
 */
class RevocationWithoutRedisTest {
  private static final Map<String, String> FAST_RETRY =
      Map.of("rateLimit.redisRetry", "200ms", "redis.commandTimeout", "300ms");

  private int redisPort;
  private RedisServer redis;
  private TestServer server;

  @BeforeEach
  void start() throws IOException {
    redisPort = TestServices.freePort();
    redis = TestServices.startRedis(redisPort);
    Map<String, String> env = TestServer.baseEnv();
    env.put("REDIS_URL", "redis://127.0.0.1:" + redisPort);
    server = TestServer.start(env, FAST_RETRY);
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
    if (redis.isActive()) {
      redis.stop();
    }
  }

  private HttpResponse<Buffer> me(String accessToken) {
    return server.send(
        server
            .request(HttpMethod.GET, "/api/v1/me")
            .putHeader("Authorization", "Bearer " + accessToken));
  }

  private HttpResponse<Buffer> as(TestUser u, HttpMethod method, String path) {
    return server.send(TestUsers.as(server, u, method, path));
  }

  private JsonObject login(TestUser u) {
    HttpResponse<Buffer> r =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/login"),
            new JsonObject().put("email", u.email()).put("password", u.password()));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private long exists(String key) {
    Redis client = Redis.createClient(server.vertx(), "redis://127.0.0.1:" + redisPort);
    try {
      return Await.result(client.send(Request.cmd(Command.EXISTS).arg(key))).toLong();
    } finally {
      client.close();
    }
  }

  @Test
  void aTokenLoggedOutBeforeRedisStoppedStaysRevoked() throws IOException {
    TestUser u = TestUsers.signup(server);
    assertEquals(204, as(u, HttpMethod.POST, "/api/v1/auth/logout").statusCode());
    assertProblem(me(u.accessToken()), 401, "token_revoked");

    redis.stop();
    for (int i = 0; i < 3; i++) {
      assertProblem(me(u.accessToken()), 401, "token_revoked");
    }
  }

  @Test
  void logoutWhileRedisIsDownEndsTheSessionAndRedisIsRepairedWhenItReturns() throws IOException {
    TestUser u = TestUsers.signup(server);
    JsonObject phone = login(u);
    redis.stop();

    assertEquals(
        204,
        as(u, HttpMethod.POST, "/api/v1/auth/logout").statusCode(),
        "the session ends in PostgreSQL");
    assertProblem(me(u.accessToken()), 401, "token_revoked");
    assertEquals(
        200, me(phone.getString("access_token")).statusCode(), "the other session is untouched");

    // a new Redis, empty: nothing of the logout is in it; requests keep coming while the gate finds
    // it again
    redis = TestServices.startRedis(redisPort);
    String marker = "bw:{u:" + u.id() + "}:sid:" + u.sessionId();
    for (int i = 0; i < 100 && exists(marker) == 0; i++) {
      assertProblem(me(u.accessToken()), 401, "token_revoked");
      assertEquals(200, me(phone.getString("access_token")).statusCode());
      sleep(100);
    }
    assertEquals(1, exists(marker), "the marker Redis missed is written back");
    assertProblem(me(u.accessToken()), 401, "token_revoked");
  }

  @Test
  void logoutAllSessionDeletionAndPasswordChangeTakeEffectWithoutRedis() throws IOException {
    TestUser a = TestUsers.signup(server);
    JsonObject a2 = login(a);
    TestUser b = TestUsers.signup(server);
    JsonObject b2 = login(b);
    TestUser c = TestUsers.signup(server);
    JsonObject c2 = login(c);
    redis.stop();

    assertEquals(204, as(a, HttpMethod.POST, "/api/v1/auth/logout-all").statusCode());
    assertProblem(me(a.accessToken()), 401, "token_revoked");
    assertProblem(me(a2.getString("access_token")), 401, "token_revoked");

    assertEquals(
        204,
        as(b, HttpMethod.DELETE, "/api/v1/auth/sessions/" + b2.getString("session_id"))
            .statusCode());
    assertProblem(me(b2.getString("access_token")), 401, "token_revoked");
    assertEquals(200, me(b.accessToken()).statusCode());

    HttpResponse<Buffer> changed =
        server.send(
            TestUsers.as(server, c, HttpMethod.POST, "/api/v1/me/password"),
            new JsonObject()
                .put("current_password", c.password())
                .put("new_password", "a-brand-new-Passphrase-42"));
    assertEquals(200, changed.statusCode(), "committed, so answered: " + changed.bodyAsString());
    assertEquals(
        200,
        me(changed.bodyAsJsonObject().getString("access_token")).statusCode(),
        "the fresh token works");
    assertProblem(me(c.accessToken()), 401, "token_revoked");
    assertProblem(me(c2.getString("access_token")), 401, "token_revoked");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
