package dev.bulwark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import java.util.UUID;

/**
 * Accounts of each role for tests: signed up through the API, given their role in the database (as
 * the {@code admin create} command or an administrator would), then signed in again so the token
 * carries the role.
 */
final class Staff {
  private Staff() {}

  /** A new account of {@code role} ("user", "staff", "admin") on the shared test database. */
  static TestUser account(TestServer server, String role) {
    return account(server, TestServices.get().databaseUrl(), role);
  }

  static TestUser account(TestServer server, String databaseUrl, String role) {
    TestUser u = TestUsers.signup(server);
    if (role.equals("user")) {
      return u;
    }
    sql(databaseUrl, "UPDATE users SET role = ? WHERE id = ?", role, u.id());
    return login(server, u);
  }

  static TestUser login(TestServer server, TestUser u) {
    HttpResponse<Buffer> r =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/login"),
            new JsonObject().put("email", u.email()).put("password", u.password()));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return TestUsers.fromPair(u.email(), u.password(), r.bodyAsJsonObject());
  }

  static HttpResponse<Buffer> send(
      TestServer server, TestUser as, HttpMethod method, String path, JsonObject body) {
    var request = server.request(method, path);
    if (as != null) {
      request.putHeader("Authorization", as.bearer());
    }
    return body == null ? server.send(request) : server.send(request, body);
  }

  static int sql(String databaseUrl, String statement, Object... args) {
    try (Connection c = TestServices.get().jdbc(databaseUrl);
        PreparedStatement s = c.prepareStatement(statement)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      return s.executeUpdate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static long count(String databaseUrl, String query, Object... args) {
    try (Connection c = TestServices.get().jdbc(databaseUrl);
        PreparedStatement s = c.prepareStatement(query)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static UUID id(JsonObject o) {
    return UUID.fromString(o.getString("id"));
  }
}
