package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.LogCapture;
import dev.bulwark.testing.TestMail;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Email verification and password reset end to end: the real server sends through the outbox to a
 * real SMTP server (GreenMail); tokens are read from the mail as a user would, and every one of
 * them is searched for in the logs of the whole class, last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmailFlowsTest {
  private static TestMail mail;
  private static TestServer server;
  private static LogCapture logs;
  private static final Set<String> ISSUED = new LinkedHashSet<>();

  @BeforeAll
  static void start() {
    logs = LogCapture.attach();
    mail = new TestMail();
    Map<String, String> env = TestServer.baseEnv();
    // a database of its own: every other live test server runs an outbox sender on the shared one
    env.put("DATABASE_URL", dev.bulwark.testing.TestServices.get().freshDatabaseUrl());
    env.put("SMTP_URL", mail.smtpUrl());
    env.put("SMTP_STARTTLS", "disabled");
    env.put("MAIL_FROM", "Civic <no-reply@civic.example>");
    env.put("PUBLIC_BASE_URL", "https://app.example.com");
    Map<String, String> props = new HashMap<>();
    props.put("outbox.pollInterval", "50ms");
    props.put("auth.emailLimits.perAddress", "3");
    server = TestServer.start(env, props);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (mail != null) {
      mail.close();
    }
    logs.detach();
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) {
    return server.send(server.request(HttpMethod.POST, path), body);
  }

  private static String tokenOf(TestMail.Mail m) {
    String token = m.token();
    assertNotNull(token, "a link with a token in: " + m.text());
    ISSUED.add(token);
    return token;
  }

  private static JsonObject me(TestUser user) {
    HttpResponse<Buffer> r = server.send(TestUsers.as(server, user, HttpMethod.GET, "/api/v1/me"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  @Order(1)
  void signupSendsAVerificationLinkThatProvesTheAddressOnce() {
    TestUser user = TestUsers.signup(server);
    assertEquals(false, me(user).getBoolean("email_verified"));

    TestMail.Mail m = mail.await(user.email(), 1);
    assertEquals("Confirm your email address", m.subject());
    String token = tokenOf(m);
    assertTrue(m.text().contains("https://app.example.com/verify-email?token=" + token), m.text());

    assertEquals(
        204, post("/api/v1/auth/email/verify", new JsonObject().put("token", token)).statusCode());
    assertEquals(true, me(user).getBoolean("email_verified"));
    assertProblem(
        post("/api/v1/auth/email/verify", new JsonObject().put("token", token)),
        400,
        "invalid_token");
  }

  @Test
  @Order(2)
  void resendQueuesANewLinkOnlyForAnUnverifiedAccount() {
    TestUser user = TestUsers.signup(server);
    tokenOf(mail.await(user.email(), 1));
    HttpResponse<Buffer> known =
        post("/api/v1/auth/email/resend", new JsonObject().put("email", user.email()));
    HttpResponse<Buffer> unknown =
        post("/api/v1/auth/email/resend", new JsonObject().put("email", TestUsers.uniqueEmail()));
    assertEquals(202, known.statusCode(), known.bodyAsString());
    assertEquals(known.bodyAsString(), unknown.bodyAsString(), "one answer for every address");
    String second = tokenOf(mail.await(user.email(), 2));
    assertEquals(
        204, post("/api/v1/auth/email/verify", new JsonObject().put("token", second)).statusCode());
  }

  @Test
  @Order(3)
  void forgotPasswordAnswersTheSameForKnownAndUnknownAddresses() {
    TestUser user = TestUsers.signup(server);
    mail.await(user.email(), 1);
    String stranger = TestUsers.uniqueEmail();
    HttpResponse<Buffer> known =
        post("/api/v1/auth/password/forgot", new JsonObject().put("email", user.email()));
    HttpResponse<Buffer> unknown =
        post("/api/v1/auth/password/forgot", new JsonObject().put("email", stranger));
    assertEquals(202, known.statusCode());
    assertEquals(202, unknown.statusCode());
    assertEquals(known.bodyAsString(), unknown.bodyAsString());
    assertEquals(known.getHeader("Content-Type"), unknown.getHeader("Content-Type"));

    TestMail.Mail reset = mail.await(user.email(), 2);
    assertEquals("Reset your password", reset.subject());
    tokenOf(reset);
    // the unknown address's job ran too (it was queued before the known one's mail went out)
    assertEquals(List.of(), mail.to(stranger), "nothing is sent to an address without an account");
  }

  @Test
  @Order(4)
  void resetSetsThePasswordEndsEverySessionAndRevokesLiveTokens() {
    TestUser user = TestUsers.signup(server);
    mail.await(user.email(), 1);
    assertEquals(
        202,
        post("/api/v1/auth/password/forgot", new JsonObject().put("email", user.email()))
            .statusCode());
    String token = tokenOf(mail.await(user.email(), 2));
    assertTrue(
        mail.to(user.email())
            .get(1)
            .text()
            .contains("https://app.example.com/reset-password?token="));

    assertProblem(
        post(
            "/api/v1/auth/password/reset",
            new JsonObject().put("token", token).put("new_password", "short")),
        400,
        "validation_failed");
    String replacement = "a-Brand-new-passphrase-42";
    assertEquals(
        204,
        post(
                "/api/v1/auth/password/reset",
                new JsonObject().put("token", token).put("new_password", replacement))
            .statusCode());

    assertEquals(
        401,
        server.send(TestUsers.as(server, user, HttpMethod.GET, "/api/v1/me")).statusCode(),
        "the access token issued before the reset no longer works");
    HttpResponse<Buffer> refresh =
        post("/api/v1/auth/refresh", new JsonObject().put("refresh_token", user.refreshToken()));
    assertEquals(401, refresh.statusCode(), refresh.bodyAsString());
    assertEquals(
        401,
        post(
                "/api/v1/auth/login",
                new JsonObject().put("email", user.email()).put("password", user.password()))
            .statusCode());
    HttpResponse<Buffer> login =
        post(
            "/api/v1/auth/login",
            new JsonObject().put("email", user.email()).put("password", replacement));
    assertEquals(200, login.statusCode(), login.bodyAsString());
    assertFalse(login.bodyAsString().contains(token));

    assertProblem(
        post(
            "/api/v1/auth/password/reset",
            new JsonObject().put("token", token).put("new_password", "another-passphrase-77")),
        400,
        "invalid_token");
    Long audited =
        Await.result(
                server
                    .app()
                    .pg()
                    .preparedQuery(
                        "SELECT count(*) FROM audit_events WHERE user_id = $1 AND event_type = 'password_reset'")
                    .execute(Tuple.of(user.id())))
            .iterator()
            .next()
            .getLong(0);
    assertEquals(1L, audited);
  }

  @Test
  @Order(5)
  void expiredForeignAndMalformedTokensAreRefused() {
    TestUser user = TestUsers.signup(server);
    String verifyToken = tokenOf(mail.await(user.email(), 1));
    // a verification token is no reset token
    assertProblem(
        post(
            "/api/v1/auth/password/reset",
            new JsonObject().put("token", verifyToken).put("new_password", "a-fine-passphrase-1")),
        400,
        "invalid_token");
    for (String bad :
        List.of("x", "not a token at all", "A".repeat(43), "A".repeat(500), "../../etc/passwd")) {
      assertProblem(
          post(
              "/api/v1/auth/password/reset",
              new JsonObject().put("token", bad).put("new_password", "a-fine-passphrase-1")),
          400,
          "invalid_token");
      assertProblem(
          post("/api/v1/auth/email/verify", new JsonObject().put("token", bad)),
          400,
          "invalid_token");
    }
    assertProblem(
        post("/api/v1/auth/email/verify", new JsonObject().put("token", 42)),
        400,
        "validation_failed");
    assertProblem(
        post("/api/v1/auth/password/forgot", new JsonObject().put("email", "not-an-email")),
        400,
        "validation_failed");

    // expired: the same token a moment after its lifetime
    assertEquals(
        202,
        post("/api/v1/auth/password/forgot", new JsonObject().put("email", user.email()))
            .statusCode());
    String reset = tokenOf(mail.await(user.email(), 2));
    Await.result(
        server
            .app()
            .pg()
            .preparedQuery(
                "UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1")
            .execute(Tuple.of(user.id())));
    assertProblem(
        post(
            "/api/v1/auth/password/reset",
            new JsonObject().put("token", reset).put("new_password", "a-fine-passphrase-1")),
        400,
        "invalid_token");
    assertProblem(
        post("/api/v1/auth/email/verify", new JsonObject().put("token", verifyToken)),
        400,
        "invalid_token");
  }

  @Test
  @Order(6)
  void linksComeFromConfigurationNeverFromTheHostHeader() {
    TestUser user = TestUsers.signup(server);
    mail.await(user.email(), 1);
    HttpResponse<Buffer> r =
        server.send(
            server
                .request(HttpMethod.POST, "/api/v1/auth/password/forgot")
                .putHeader("Host", "evil.example.net")
                .putHeader("X-Forwarded-Host", "evil.example.net"),
            new JsonObject().put("email", user.email()));
    assertEquals(202, r.statusCode());
    TestMail.Mail m = mail.await(user.email(), 2);
    tokenOf(m);
    assertFalse(m.text().contains("evil"), m.text());
    assertTrue(m.text().contains("https://app.example.com/reset-password?token="), m.text());
  }

  @Test
  @Order(7)
  void emailRequestsAreLimitedPerAddress() {
    String address = TestUsers.uniqueEmail();
    for (int i = 0; i < 3; i++) {
      assertEquals(
          202,
          post("/api/v1/auth/password/forgot", new JsonObject().put("email", address))
              .statusCode());
    }
    HttpResponse<Buffer> refused =
        post("/api/v1/auth/password/forgot", new JsonObject().put("email", address));
    assertProblem(refused, 429, "too_many_requests");
    assertNotNull(refused.getHeader("Retry-After"));
    // another address is not affected
    assertEquals(
        202,
        post("/api/v1/auth/password/forgot", new JsonObject().put("email", TestUsers.uniqueEmail()))
            .statusCode());
  }

  @Test
  @Order(100)
  void noIssuedTokenAppearsInAnyLogLineOrResponse() {
    // every token any mail of this run carried, and every log line the JVM wrote meanwhile
    mail.all()
        .forEach(
            m -> {
              if (m.token() != null) {
                ISSUED.add(m.token());
              }
            });
    assertTrue(ISSUED.size() >= 8, "the run issued tokens: " + ISSUED.size());
    List<String> lines = logs.lines();
    assertTrue(lines.size() > 10, "the run logged: " + lines.size());
    for (String token : ISSUED) {
      for (String line : lines) {
        assertFalse(line.contains(token), "a token in a log line: " + line);
      }
    }
    String metrics = server.get("/metrics").bodyAsString();
    for (String token : ISSUED) {
      assertFalse(metrics.contains(token), "a token in /metrics");
    }
    Long stored =
        Await.result(
                server
                    .app()
                    .pg()
                    .preparedQuery(
                        "SELECT count(*) FROM outbound_messages WHERE sent_at IS NOT NULL AND body IS NOT NULL")
                    .execute())
            .iterator()
            .next()
            .getLong(0);
    assertEquals(0L, stored, "a sent message keeps no body (no code or link outlives delivery)");
  }
}
