package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code auth.signupMode: verify-first}, delivered by the development outbox folder: signup answers
 * the same 202 for a new and a taken address (whose owner is told), login waits for the proof, and
 * the folder holds each message as a file.
 */
class VerifyFirstSignupTest {
  private static final Path OUTBOX = Path.of("target/verify-first-dev-data/outbox");
  private static final Pattern TOKEN = Pattern.compile("token=([A-Za-z0-9_-]{43})");

  private static TestServer server;

  @BeforeAll
  static void start() {
    Map<String, String> env = TestServer.baseEnv();
    // a database of its own: every other live test server runs an outbox sender on the shared one
    env.put("DATABASE_URL", TestServices.get().freshDatabaseUrl());
    server =
        TestServer.start(
            env,
            Map.of(
                "auth.signupMode", "verify-first",
                "devServices.dataDir", "target/verify-first-dev-data",
                "outbox.pollInterval", "50ms"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) {
    return server.send(server.request(HttpMethod.POST, path), body);
  }

  private static HttpResponse<Buffer> signup(String email, String password) {
    return post(
        "/api/v1/auth/signup", new JsonObject().put("email", email).put("password", password));
  }

  /**
   * The files the folder holds for {@code email}, oldest first, waiting up to 15 s for {@code n}.
   */
  private static List<String> messagesTo(String email, int n) throws Exception {
    long deadline = System.currentTimeMillis() + 15_000;
    while (true) {
      List<String> found;
      try (Stream<Path> files = Files.exists(OUTBOX) ? Files.list(OUTBOX) : Stream.empty()) {
        found =
            files
                .sorted()
                .map(VerifyFirstSignupTest::read)
                .filter(text -> text.startsWith("To: " + email + "\n"))
                .toList();
      }
      if (found.size() >= n || System.currentTimeMillis() > deadline) {
        return found;
      }
      Thread.sleep(25);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void signupAnswersTheSameForNewAndTakenAddressesAndLoginWaitsForTheProof() throws Exception {
    String email = TestUsers.uniqueEmail();
    HttpResponse<Buffer> created = signup(email, TestUsers.PASSWORD);
    HttpResponse<Buffer> taken = signup(email, "another-Passphrase-9");
    assertEquals(202, created.statusCode(), created.bodyAsString());
    assertEquals(202, taken.statusCode(), taken.bodyAsString());
    assertEquals(
        created.bodyAsString(), taken.bodyAsString(), "signup tells nobody who has an account");
    assertFalse(created.bodyAsString().contains("token"), created.bodyAsString());

    assertProblem(
        post(
            "/api/v1/auth/login",
            new JsonObject().put("email", email).put("password", TestUsers.PASSWORD)),
        403,
        "email_not_verified");

    List<String> messages = messagesTo(email, 2);
    assertEquals(2, messages.size(), "a verification and a 'someone tried' message: " + messages);
    String verification =
        messages.stream().filter(m -> m.contains("Confirm your email address")).findFirst().get();
    assertTrue(
        messages.stream().anyMatch(m -> m.contains("Someone tried to sign up with your address")));
    Matcher m = TOKEN.matcher(verification);
    assertTrue(m.find(), verification);
    assertEquals(
        204,
        post("/api/v1/auth/email/verify", new JsonObject().put("token", m.group(1))).statusCode());

    HttpResponse<Buffer> login =
        post(
            "/api/v1/auth/login",
            new JsonObject().put("email", email).put("password", TestUsers.PASSWORD));
    assertEquals(200, login.statusCode(), login.bodyAsString());
    HttpResponse<Buffer> me =
        server.send(
            server
                .request(HttpMethod.GET, "/api/v1/me")
                .putHeader(
                    "Authorization",
                    "Bearer " + login.bodyAsJsonObject().getString("access_token")));
    assertEquals(true, me.bodyAsJsonObject().getBoolean("email_verified"));
    assertProblem(
        post(
            "/api/v1/auth/login",
            new JsonObject().put("email", email).put("password", "another-Passphrase-9")),
        401,
        "invalid_credentials");
  }
}
