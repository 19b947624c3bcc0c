package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The refresh rotation rules (docs/ARCHITECTURE.md, "Sessions and tokens"), against the real
 * server, Postgres and Redis.
 */
@BulwarkTest
class RefreshRotationTest {
  @BulwarkTest.Server private static TestServer server;

  static HttpResponse<Buffer> refresh(TestServer server, String token) {
    return server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
        new JsonObject().put("refresh_token", token));
  }

  private static HttpResponse<Buffer> me(String accessToken) {
    return server.send(
        server
            .request(HttpMethod.GET, "/api/v1/me")
            .putHeader("Authorization", "Bearer " + accessToken));
  }

  @Test
  void refreshRotatesToANewPairInTheSameSession() {
    TestUser u = TestUsers.signup(server);
    HttpResponse<Buffer> r = refresh(server, u.refreshToken());
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject pair = r.bodyAsJsonObject();
    assertEquals("Bearer", pair.getString("token_type"));
    assertEquals(u.sessionId().toString(), pair.getString("session_id"));
    assertNotEquals(u.refreshToken(), pair.getString("refresh_token"));
    assertNotEquals(u.accessToken(), pair.getString("access_token"));
    assertEquals(43, pair.getString("refresh_token").length(), "256 bits, base64url");
    assertEquals(900, pair.getLong("expires_in"));
    assertEquals("no-store", r.getHeader("Cache-Control"));
    assertEquals(200, me(pair.getString("access_token")).statusCode());
  }

  @Test
  void parentRetriedWithinGraceGetsTheSameChildAndTheFamilyLives() {
    TestUser u = TestUsers.signup(server);
    String child = refresh(server, u.refreshToken()).bodyAsJsonObject().getString("refresh_token");
    HttpResponse<Buffer> retry = refresh(server, u.refreshToken());
    assertEquals(
        200,
        retry.statusCode(),
        "a lost response retried is not an attack: " + retry.bodyAsString());
    assertEquals(
        child,
        retry.bodyAsJsonObject().getString("refresh_token"),
        "same live child, no second chain");
    assertEquals(200, me(retry.bodyAsJsonObject().getString("access_token")).statusCode());
    HttpResponse<Buffer> next = refresh(server, child);
    assertEquals(200, next.statusCode(), "the family lives on");
  }

  @Test
  void olderTokenRevokesTheWholeFamily() throws Exception {
    TestUser u = TestUsers.signup(server);
    JsonObject first = refresh(server, u.refreshToken()).bodyAsJsonObject();
    JsonObject second = refresh(server, first.getString("refresh_token")).bodyAsJsonObject();
    assertEquals(200, me(second.getString("access_token")).statusCode());

    assertProblem(refresh(server, u.refreshToken()), 401, "refresh_token_reused");

    assertProblem(refresh(server, second.getString("refresh_token")), 401, "session_revoked");
    assertProblem(me(second.getString("access_token")), 401, "token_revoked");
    assertProblem(me(u.accessToken()), 401, "token_revoked");
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM audit_events WHERE event_type = 'refresh_token_reused' AND session_id = ?")) {
      ps.setObject(1, u.sessionId());
      ResultSet rs = ps.executeQuery();
      rs.next();
      assertEquals(1, rs.getInt(1), "the reuse is audited");
    }
  }

  @Test
  void reuseEndsOnlyThatFamily() {
    TestUser u = TestUsers.signup(server);
    HttpResponse<Buffer> login =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/login"),
            new JsonObject().put("email", u.email()).put("password", u.password()));
    JsonObject other = login.bodyAsJsonObject();
    String child = refresh(server, u.refreshToken()).bodyAsJsonObject().getString("refresh_token");
    refresh(server, child);
    assertProblem(refresh(server, u.refreshToken()), 401, "refresh_token_reused");
    assertEquals(
        200,
        me(other.getString("access_token")).statusCode(),
        "the user's other session is untouched");
    assertEquals(200, refresh(server, other.getString("refresh_token")).statusCode());
  }

  @Test
  void fiftyParallelRefreshesOfOneTokenLeaveOneLiveChain() throws Exception {
    TestUser u = TestUsers.signup(server);
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(
          server
              .request(HttpMethod.POST, "/api/v1/auth/refresh")
              .sendJsonObject(new JsonObject().put("refresh_token", u.refreshToken())));
    }
    Set<String> children = new HashSet<>();
    for (Future<HttpResponse<Buffer>> call : calls) {
      HttpResponse<Buffer> r = Await.result(call);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      children.add(r.bodyAsJsonObject().getString("refresh_token"));
    }
    assertEquals(1, children.size(), "every parallel refresh got the same child: one chain");
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FILTER (WHERE consumed_at IS NULL), count(*) FROM refresh_tokens WHERE session_id = ?")) {
      ps.setObject(1, u.sessionId());
      ResultSet rs = ps.executeQuery();
      rs.next();
      assertEquals(1, rs.getInt(1), "exactly one live refresh token in the family");
      assertEquals(2, rs.getInt(2), "the original and its single child");
    }
    String child = children.iterator().next();
    assertEquals(200, refresh(server, child).statusCode());
  }

  @Test
  void tokensAreStoredOnlyAsHashes() throws Exception {
    TestUser u = TestUsers.signup(server);
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FILTER (WHERE token_hash = sha256(convert_to(?, 'UTF8'))), "
                    + "count(*) FILTER (WHERE encode(token_hash, 'escape') LIKE '%' || ? || '%') FROM refresh_tokens WHERE session_id = ?")) {
      ps.setString(1, u.refreshToken());
      ps.setString(2, u.refreshToken());
      ps.setObject(3, u.sessionId());
      ResultSet rs = ps.executeQuery();
      rs.next();
      assertEquals(1, rs.getInt(1), "looked up by SHA-256");
      assertEquals(0, rs.getInt(2), "raw token never stored");
    }
  }

  @Test
  void unknownMalformedAndExpiredTokensAreRefused() throws Exception {
    assertProblem(refresh(server, "x".repeat(43)), 401, "invalid_refresh_token");
    assertProblem(refresh(server, "not a token"), 401, "invalid_refresh_token");
    TestUser u = TestUsers.signup(server);
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE session_id = ?")) {
      ps.setObject(1, u.sessionId());
      assertEquals(1, ps.executeUpdate());
    }
    assertProblem(refresh(server, u.refreshToken()), 401, "refresh_token_expired");
  }

  @Test
  void refreshMovesLastUsed() throws Exception {
    TestUser u = TestUsers.signup(server);
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement back =
            c.prepareStatement(
                "UPDATE sessions SET last_used_at = now() - interval '1 hour' WHERE id = ?");
        PreparedStatement read =
            c.prepareStatement(
                "SELECT last_used_at > now() - interval '1 minute' FROM sessions WHERE id = ?")) {
      back.setObject(1, u.sessionId());
      back.executeUpdate();
      refresh(server, u.refreshToken());
      read.setObject(1, u.sessionId());
      ResultSet rs = read.executeQuery();
      rs.next();
      assertTrue(rs.getBoolean(1));
    }
  }

  /** Separate servers for rules that need other settings or a database of their own. */
  @Test
  void parentAfterTheGraceWindowIsReuse() throws Exception {
    try (TestServer shortGrace =
        TestServer.start(TestServer.baseEnv(), Map.of("auth.refreshReuseGrace", "1s"))) {
      TestUser u = TestUsers.signup(shortGrace);
      assertEquals(200, refresh(shortGrace, u.refreshToken()).statusCode());
      Thread.sleep(2100);
      assertProblem(refresh(shortGrace, u.refreshToken()), 401, "refresh_token_reused");
    }
  }

  private static int sealedRows(java.util.UUID sessionId) throws Exception {
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM refresh_tokens WHERE session_id = ? AND child_token_sealed IS NOT NULL")) {
      ps.setObject(1, sessionId);
      ResultSet rs = ps.executeQuery();
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void noSealedTokenIsKeptPastTheGraceWindow() throws Exception {
    try (TestServer shortGrace =
        TestServer.start(TestServer.baseEnv(), Map.of("auth.refreshReuseGrace", "2s"))) {
      TestUser u = TestUsers.signup(shortGrace);
      String child =
          refresh(shortGrace, u.refreshToken()).bodyAsJsonObject().getString("refresh_token");
      assertEquals(
          1, sealedRows(u.sessionId()), "within the window the parent keeps its child, sealed");
      HttpResponse<Buffer> replay = refresh(shortGrace, u.refreshToken());
      assertEquals(200, replay.statusCode(), replay.bodyAsString());
      assertEquals(
          child,
          replay.bodyAsJsonObject().getString("refresh_token"),
          "a retry inside the window: same child");

      // erased within one more window after it closes; poll rather than guess the moment
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
      while (sealedRows(u.sessionId()) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(0, sealedRows(u.sessionId()), "no row holds the live token in decryptable form");
      assertProblem(refresh(shortGrace, u.refreshToken()), 401, "refresh_token_reused");
    }
  }

  @Test
  void aSlowWaitForTheFamilyLockDoesNotEatTheGraceWindow() throws Exception {
    try (TestServer s =
            TestServer.start(TestServer.baseEnv(), Map.of("auth.refreshReuseGrace", "2s"));
        Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl())) {
      TestUser u = TestUsers.signup(s);
      c.setAutoCommit(false);
      try (PreparedStatement lock =
          c.prepareStatement("SELECT id FROM sessions WHERE id = ? FOR UPDATE")) {
        lock.setObject(1, u.sessionId());
        lock.executeQuery();
      }
      Future<HttpResponse<Buffer>> pending =
          s.request(HttpMethod.POST, "/api/v1/auth/refresh")
              .sendJsonObject(new JsonObject().put("refresh_token", u.refreshToken()));
      Thread.sleep(
          3000); // longer than the grace window, while the refresh's transaction waits for the lock
      assertFalse(pending.isComplete(), "the refresh waited for the family lock");
      c.commit();
      HttpResponse<Buffer> rotated = Await.result(pending);
      assertEquals(200, rotated.statusCode(), rotated.bodyAsString());
      HttpResponse<Buffer> retry = refresh(s, u.refreshToken());
      assertEquals(
          200,
          retry.statusCode(),
          "the window starts when the token was consumed: " + retry.bodyAsString());
      assertEquals(
          rotated.bodyAsJsonObject().getString("refresh_token"),
          retry.bodyAsJsonObject().getString("refresh_token"));
    }
  }

  @Test
  void aTransientDatabaseFailureLeavesThePresentedTokenUsable() throws Exception {
    String db = TestServices.get().freshDatabaseUrl();
    Map<String, String> env = TestServer.baseEnv();
    env.put("DATABASE_URL", db);
    try (TestServer isolated = TestServer.start(env, Map.of());
        Connection c = TestServices.get().jdbc(db)) {
      TestUser u = TestUsers.signup(isolated);
      c.createStatement()
          .execute(
              """
          CREATE TABLE test_fail (on_insert boolean NOT NULL);
          INSERT INTO test_fail VALUES (true);
          CREATE FUNCTION test_fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF (SELECT on_insert FROM test_fail) THEN
              RAISE EXCEPTION 'simulated serialization failure' USING ERRCODE = '40001';
            END IF;
            RETURN NEW;
          END $$;
          CREATE TRIGGER test_fail_insert BEFORE INSERT ON refresh_tokens FOR EACH ROW EXECUTE FUNCTION test_fail_insert();
          """);
      HttpResponse<Buffer> failed = refresh(isolated, u.refreshToken());
      JsonObject problem = assertProblem(failed, 503, "service_unavailable");
      assertFalse(problem.getString("detail").contains("simulated"), "no internal message leaks");
      assertEquals("1", failed.getHeader("Retry-After"));

      c.createStatement().execute("UPDATE test_fail SET on_insert = false");
      HttpResponse<Buffer> ok = refresh(isolated, u.refreshToken());
      assertEquals(
          200,
          ok.statusCode(),
          "the rolled-back refresh left the token usable: " + ok.bodyAsString());
      assertEquals(
          200, refresh(isolated, ok.bodyAsJsonObject().getString("refresh_token")).statusCode());
    }
  }
}
