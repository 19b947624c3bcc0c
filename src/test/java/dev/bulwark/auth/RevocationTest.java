package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.RedisCommandStats;
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
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Logout, logout-all and password change take effect on the very next request. */
@BulwarkTest
class RevocationTest {
  @BulwarkTest.Server private static TestServer server;

  private static HttpResponse<Buffer> me(String accessToken) {
    return server.send(
        server
            .request(HttpMethod.GET, "/api/v1/me")
            .putHeader("Authorization", "Bearer " + accessToken));
  }

  private static HttpResponse<Buffer> post(String path, String accessToken) {
    return server.send(
        server.request(HttpMethod.POST, path).putHeader("Authorization", "Bearer " + accessToken));
  }

  private static JsonObject login(TestUser u, String password) {
    HttpResponse<Buffer> r =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/login"),
            new JsonObject().put("email", u.email()).put("password", password));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  void logoutRevokesThatAccessTokenAtOnceAndEndsOnlyThatSession() {
    TestUser u = TestUsers.signup(server);
    JsonObject phone = login(u, u.password());
    assertEquals(200, me(u.accessToken()).statusCode());

    HttpResponse<Buffer> out = post("/api/v1/auth/logout", u.accessToken());
    assertEquals(204, out.statusCode());
    assertProblem(me(u.accessToken()), 401, "token_revoked");
    assertProblem(RefreshRotationTest.refresh(server, u.refreshToken()), 401, "session_revoked");
    assertProblem(post("/api/v1/auth/logout", u.accessToken()), 401, "token_revoked");

    assertEquals(
        200, me(phone.getString("access_token")).statusCode(), "the other session is untouched");
    assertEquals(
        200, RefreshRotationTest.refresh(server, phone.getString("refresh_token")).statusCode());
  }

  @Test
  void logoutAllRevokesEveryOlderTokenButNotTheNextLogin() {
    TestUser u = TestUsers.signup(server);
    JsonObject phone = login(u, u.password());
    JsonObject refreshed = RefreshRotationTest.refresh(server, u.refreshToken()).bodyAsJsonObject();

    assertEquals(
        204, post("/api/v1/auth/logout-all", phone.getString("access_token")).statusCode());
    for (String access :
        new String[] {
          u.accessToken(), phone.getString("access_token"), refreshed.getString("access_token")
        }) {
      assertProblem(me(access), 401, "token_revoked");
    }
    assertProblem(
        RefreshRotationTest.refresh(server, phone.getString("refresh_token")),
        401,
        "session_revoked");
    assertProblem(
        RefreshRotationTest.refresh(server, refreshed.getString("refresh_token")),
        401,
        "session_revoked");

    JsonObject again = login(u, u.password());
    assertEquals(
        200,
        me(again.getString("access_token")).statusCode(),
        "a login right after logout-all works");
  }

  @Test
  void passwordChangeEndsOtherSessionsAndOlderTokensAndKeepsThisOne() {
    TestUser u = TestUsers.signup(server);
    JsonObject phone = login(u, u.password());
    String newPassword = "a-brand-new-Passphrase-42";

    HttpResponse<Buffer> changed =
        server.send(
            TestUsers.as(server, u, HttpMethod.POST, "/api/v1/me/password"),
            new JsonObject()
                .put("current_password", u.password())
                .put("new_password", newPassword));
    assertEquals(200, changed.statusCode(), changed.bodyAsString());
    JsonObject pair = changed.bodyAsJsonObject();
    assertEquals(u.sessionId().toString(), pair.getString("session_id"), "this session continues");
    assertEquals(
        200, me(pair.getString("access_token")).statusCode(), "the fresh token works at once");
    assertEquals(
        200, RefreshRotationTest.refresh(server, pair.getString("refresh_token")).statusCode());

    assertProblem(me(u.accessToken()), 401, "token_revoked");
    assertProblem(me(phone.getString("access_token")), 401, "token_revoked");
    assertProblem(
        RefreshRotationTest.refresh(server, phone.getString("refresh_token")),
        401,
        "session_revoked");
    assertProblem(
        RefreshRotationTest.refresh(server, u.refreshToken()), 401, "refresh_token_reused");

    HttpResponse<Buffer> old =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/login"),
            new JsonObject().put("email", u.email()).put("password", u.password()));
    assertProblem(old, 401, "invalid_credentials");
    login(u, newPassword);
  }

  /**
   * A refresh that locked its family before logout-all (or a password change) ended it commits a
   * new token, and mints its access token after the not-before stamp was set — so with {@code iat}
   * at the stamp. Each session ended gets its own marker, so that token is refused too.
   */
  @Test
  void sessionsEndedByLogoutAllOrPasswordChangeRefuseATokenARacingRefreshMintedAtTheStamp() {
    TestUser u = TestUsers.signup(server);
    UUID phone = UUID.fromString(login(u, u.password()).getString("session_id"));
    assertEquals(204, post("/api/v1/auth/logout-all", u.accessToken()).statusCode());
    assertProblem(me(raced(u.id(), phone)), 401, "token_revoked");

    TestUser v = TestUsers.signup(server);
    UUID tablet = UUID.fromString(login(v, v.password()).getString("session_id"));
    HttpResponse<Buffer> changed =
        server.send(
            TestUsers.as(server, v, HttpMethod.POST, "/api/v1/me/password"),
            new JsonObject()
                .put("current_password", v.password())
                .put("new_password", "a-brand-new-Passphrase-42"));
    assertEquals(200, changed.statusCode(), changed.bodyAsString());
    assertProblem(me(raced(v.id(), tablet)), 401, "token_revoked");
    assertEquals(
        200,
        me(changed.bodyAsJsonObject().getString("access_token")).statusCode(),
        "the kept session works");
  }

  /**
   * An access token of {@code session} as that refresh would mint it: signed by the server, {@code
   * iat} at the stamp.
   */
  private static String raced(UUID userId, UUID session) {
    Redis redis = Redis.createClient(server.vertx(), TestServices.get().redisUrl());
    try {
      long stamp =
          Long.parseLong(
              Await.result(redis.send(Request.cmd(Command.GET).arg("bw:{u:" + userId + "}:nbf")))
                  .toString());
      AccessTokens tokens = new AccessTokens(server.vertx(), server.app().config().jwt());
      return tokens.mint(userId, session, stamp).token();
    } finally {
      redis.close();
    }
  }

  @Test
  void passwordChangeNeedsTheCurrentPassword() {
    TestUser u = TestUsers.signup(server);
    HttpResponse<Buffer> r =
        server.send(
            TestUsers.as(server, u, HttpMethod.POST, "/api/v1/me/password"),
            new JsonObject()
                .put("current_password", "not-the-password")
                .put("new_password", "another-Strong-pass-7"));
    assertProblem(r, 401, "invalid_credentials");
    assertEquals(
        "Bearer realm=\"bulwark\"",
        r.getHeader("WWW-Authenticate"),
        "the password was wrong, not the token: no error=\"invalid_token\" to make a client drop it");
    assertEquals(200, me(u.accessToken()).statusCode(), "nothing was revoked");
    login(u, u.password());
  }

  @Test
  void anAuthenticatedRequestCostsOneRedisCommand() {
    TestUser u = TestUsers.signup(server);
    me(u.accessToken());
    Redis redis = Redis.createClient(server.vertx(), TestServices.get().redisUrl());
    try {
      // The Redis of the test run is shared with every other server the suite keeps running, and
      // each renews its signing-key fingerprint with an EVAL now and then (which Redis counts with
      // the commands its script runs). A window in which one did says nothing about ours: measure
      // again. A request that really cost more would do so in every window.
      for (int attempt = 1; ; attempt++) {
        String before = RedisCommandStats.snapshot(redis);
        for (int i = 0; i < 10; i++) {
          assertEquals(200, me(u.accessToken()).statusCode());
        }
        String after = RedisCommandStats.snapshot(redis);
        long sent = requestCommands(after) - requestCommands(before);
        if (RedisCommandStats.calls(after, "eval") == RedisCommandStats.calls(before, "eval")
            || attempt == 5) {
          assertEquals(10, sent, "one Redis command per authenticated request");
          return;
        }
      }
    } finally {
      redis.close();
    }
  }

  /**
   * Commands clients sent so far, leaving out connection housekeeping (HELLO, SELECT, CLIENT,
   * PING), INFO itself, and the commands the gate's script runs inside Redis (counted there too,
   * but part of the one EVALSHA).
   */
  private static long requestCommands(String info) {
    return RedisCommandStats.callsExcept(
        info, "hello|select|client|ping|info|auth|time|mget|hmget|hincrby|hdel|pexpire");
  }
}
