package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Passwords as people type them (lengths in characters, long passphrases in any script), peppered
 * hashes at rest, and old hashes upgraded at the next successful login — over HTTP, against the
 * real database.
 */
@BulwarkTest
class PasswordsTest {
  /** 64 characters, 171 bytes of UTF-8: refused by a 72-byte cap, fine as a passphrase. */
  private static final String PASSPHRASE =
      "Ωραίος καιρός σήμερα στην Αθήνα — πάμε βόλτα στην Ακρόπολη, 2024";

  @BulwarkTest.Server private static TestServer server;

  private static HttpResponse<Buffer> signup(TestServer s, String email, String password) {
    return s.send(
        s.request(HttpMethod.POST, "/api/v1/auth/signup"),
        new JsonObject().put("email", email).put("password", password));
  }

  private static HttpResponse<Buffer> login(TestServer s, String email, String password) {
    return s.send(
        s.request(HttpMethod.POST, "/api/v1/auth/login"),
        new JsonObject().put("email", email).put("password", password));
  }

  private static String storedHash(String email) throws Exception {
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement ps =
            c.prepareStatement("SELECT password_hash FROM users WHERE email = ?")) {
      ps.setString(1, email);
      ResultSet rs = ps.executeQuery();
      assertTrue(rs.next());
      return rs.getString(1);
    }
  }

  @Test
  void aSixtyFourCharacterNonAsciiPassphraseSignsUpAndLogsIn() throws Exception {
    assertEquals(64, PASSPHRASE.codePointCount(0, PASSPHRASE.length()));
    assertTrue(PASSPHRASE.getBytes(StandardCharsets.UTF_8).length > 72);
    String email = TestUsers.uniqueEmail();
    HttpResponse<Buffer> r = signup(server, email, PASSPHRASE);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals(200, login(server, email, PASSPHRASE).statusCode());
    String cutAt72 =
        new String(PASSPHRASE.getBytes(StandardCharsets.UTF_8), 0, 72, StandardCharsets.UTF_8);
    assertProblem(login(server, email, cutAt72), 401, "invalid_credentials");
    assertProblem(
        login(server, email, PASSPHRASE.replace("2024", "2025")), 401, "invalid_credentials");
  }

  @Test
  void threeEuroSignsAreThreeCharactersAndTooShort() {
    JsonObject problem =
        assertProblem(signup(server, TestUsers.uniqueEmail(), "€€€"), 400, "validation_failed");
    assertEquals(
        "password_too_short", problem.getJsonArray("errors").getJsonObject(0).getString("code"));
  }

  @Test
  void pastTwoHundredFiftySixCharactersIs400() {
    JsonObject problem =
        assertProblem(
            signup(server, TestUsers.uniqueEmail(), "a1b2c3d4".repeat(32) + "x"),
            400,
            "validation_failed");
    assertEquals(
        "password_too_long", problem.getJsonArray("errors").getJsonObject(0).getString("code"));
    assertEquals(201, signup(server, TestUsers.uniqueEmail(), "a1b2c3d4".repeat(32)).statusCode());
  }

  @Test
  void aPassphraseIsAcceptedAsTheNewPasswordToo() {
    TestUser u = TestUsers.signup(server);
    HttpResponse<Buffer> r =
        server.send(
            TestUsers.as(server, u, HttpMethod.POST, "/api/v1/me/password"),
            new JsonObject().put("current_password", u.password()).put("new_password", PASSPHRASE));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(200, login(server, u.email(), PASSPHRASE).statusCode());
  }

  @Test
  void storedHashesAreVersionedAndPepperedNotPlainBcrypt() throws Exception {
    TestUser u = TestUsers.signup(server);
    String stored = storedHash(u.email());
    assertTrue(stored.startsWith("$hmac1$2a$04$"), stored);
    assertFalse(
        BCrypt.verifyer()
            .verify(u.password().toCharArray(), stored.substring("$hmac1".length()))
            .verified,
        "bcrypt of the password itself does not match: the pepper is needed");
  }

  @Test
  void aLegacyPlainBcryptHashLogsInAndIsUpgradedOnce() throws Exception {
    String email = TestUsers.uniqueEmail();
    String legacy = BCrypt.withDefaults().hashToString(4, "legacy-Password-42".toCharArray());
    UUID id;
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO users (email, password_hash) VALUES (?, ?) RETURNING id")) {
      ps.setString(1, email);
      ps.setString(2, legacy);
      ResultSet rs = ps.executeQuery();
      rs.next();
      id = (UUID) rs.getObject(1);
    }
    assertProblem(login(server, email, "legacy-Password-43"), 401, "invalid_credentials");
    assertEquals(legacy, storedHash(email), "a failed login changes nothing");

    assertEquals(200, login(server, email, "legacy-Password-42").statusCode());
    String upgraded = storedHash(email);
    assertTrue(
        upgraded.startsWith("$hmac1$2a$04$"), "upgraded at the successful login: " + upgraded);

    assertEquals(200, login(server, email, "legacy-Password-42").statusCode());
    assertEquals(upgraded, storedHash(email), "a current hash is not rewritten");
    assertProblem(login(server, email, "legacy-Password-43"), 401, "invalid_credentials");
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement ps =
            c.prepareStatement("SELECT password_changed_at = created_at FROM users WHERE id = ?")) {
      ps.setObject(1, id);
      ResultSet rs = ps.executeQuery();
      rs.next();
      assertTrue(rs.getBoolean(1), "an upgrade is not a password change");
    }
  }

  @Test
  void changingBcryptRoundsRehashesAtTheNextLogin() throws Exception {
    TestUser u = TestUsers.signup(server);
    assertTrue(storedHash(u.email()).startsWith("$hmac1$2a$04$"));
    Map<String, String> env = TestServer.baseEnv();
    env.put("BCRYPT_ROUNDS", "5");
    try (TestServer costlier = TestServer.start(env, Map.of())) {
      assertProblem(login(costlier, u.email(), "not-the-password"), 401, "invalid_credentials");
      assertTrue(storedHash(u.email()).startsWith("$hmac1$2a$04$"));
      assertEquals(200, login(costlier, u.email(), u.password()).statusCode());
      assertTrue(storedHash(u.email()).startsWith("$hmac1$2a$05$"), storedHash(u.email()));
      assertEquals(200, login(costlier, u.email(), u.password()).statusCode());
    }
  }
}
