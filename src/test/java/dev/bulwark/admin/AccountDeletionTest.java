package dev.bulwark.admin;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code DELETE /api/v1/me}: re-authenticated, immediate, and complete — every table is searched
 * for the account's id and email afterwards, and only the audit tombstone (no email, no address)
 * may mention it.
 */
@BulwarkTest
class AccountDeletionTest {
  @BulwarkTest.Server private static TestServer server;

  private static HttpResponse<Buffer> delete(TestUser u, JsonObject body) {
    return Staff.send(server, u, HttpMethod.DELETE, "/api/v1/me", body);
  }

  @Test
  void nothingOfTheAccountIsLeftButTheTombstone() throws Exception {
    TestUser u = TestUsers.signup(server);
    JsonObject phone =
        server
            .send(
                server.request(HttpMethod.POST, "/api/v1/auth/login"),
                new JsonObject().put("email", u.email()).put("password", u.password()))
            .bodyAsJsonObject();
    server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/login"),
        new JsonObject().put("email", u.email()).put("password", "wrong-password-here"));
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> created =
          server.send(
              TestUsers.as(server, u, HttpMethod.POST, "/api/v1/tasks")
                  .putHeader("Idempotency-Key", "k" + i),
              new JsonObject().put("title", "task " + i).put("notes", "about " + u.email()));
      assertEquals(201, created.statusCode(), created.bodyAsString());
    }
    server.send(
        server
            .request(HttpMethod.POST, "/api/v1/auth/refresh")
            .putHeader("Content-Type", "application/json"),
        Buffer.buffer(new JsonObject().put("refresh_token", u.refreshToken()).encode()));
    assertTrue(mentions(u).values().stream().mapToLong(Long::longValue).sum() > 5);

    HttpResponse<Buffer> deleted = delete(u, new JsonObject().put("password", u.password()));
    assertEquals(204, deleted.statusCode(), deleted.bodyAsString());

    Map<String, Long> left = mentions(u);
    Map<String, Long> expected = new LinkedHashMap<>();
    left.keySet().forEach(t -> expected.put(t, t.equals("audit_events") ? 1L : 0L));
    assertEquals(expected, left, "rows that still mention the account, by table");
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement s =
            c.prepareStatement(
                "SELECT event_type, user_id, session_id, ip, details->>'user_id' FROM audit_events"
                    + " WHERE details->>'user_id' = ?")) {
      s.setString(1, u.id().toString());
      try (ResultSet rs = s.executeQuery()) {
        assertTrue(rs.next(), "the tombstone");
        assertEquals("account_deleted", rs.getString(1));
        assertNull(rs.getString(2));
        assertNull(rs.getString(3));
        assertNull(rs.getString(4), "no address");
        assertFalse(rs.next());
      }
    }

    assertProblem(
        Staff.send(server, u, HttpMethod.GET, "/api/v1/tasks", null), 401, "token_revoked");
    assertProblem(
        server.send(
            server
                .request(HttpMethod.GET, "/api/v1/me")
                .putHeader("Authorization", "Bearer " + phone.getString("access_token"))),
        401,
        "token_revoked");
    assertProblem(
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
            new JsonObject().put("refresh_token", phone.getString("refresh_token"))),
        401,
        "invalid_refresh_token");
    assertProblem(
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/login"),
            new JsonObject().put("email", u.email()).put("password", u.password())),
        401,
        "invalid_credentials");
    HttpResponse<Buffer> again =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/signup"),
            new JsonObject().put("email", u.email()).put("password", u.password()));
    assertEquals(201, again.statusCode(), "the email is free again");
  }

  @Test
  void theAccountStaysWithoutThePassword() {
    TestUser u = TestUsers.signup(server);
    HttpResponse<Buffer> wrong = delete(u, new JsonObject().put("password", "not-my-password-1"));
    assertProblem(wrong, 401, "invalid_credentials");
    assertProblem(delete(u, new JsonObject()), 400, "validation_failed");
    assertProblem(
        server.send(TestUsers.as(server, u, HttpMethod.DELETE, "/api/v1/me")),
        415,
        "unsupported_media_type");
    assertProblem(
        server.send(server.request(HttpMethod.DELETE, "/api/v1/me"), new JsonObject()),
        401,
        "missing_token");
    assertEquals(
        200, server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me")).statusCode());
  }

  /**
   * For every table, the rows whose text (every column) contains the account's id or email: a table
   * added later is searched too.
   */
  private static Map<String, Long> mentions(TestUser u) throws Exception {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl())) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          c.createStatement()
              .executeQuery(
                  "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                      + " AND table_type = 'BASE TABLE' AND table_name <> 'flyway_schema_history'"
                      + " ORDER BY table_name")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String table : tables) {
        try (PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM \""
                    + table
                    + "\" t WHERE strpos(t::text, ?) > 0 OR strpos(lower(t::text), ?) > 0")) {
          s.setString(1, u.id().toString());
          s.setString(2, u.email());
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            out.put(table, rs.getLong(1));
          }
        }
      }
    }
    return out;
  }
}
