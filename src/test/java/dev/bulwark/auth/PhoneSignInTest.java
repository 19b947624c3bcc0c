package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.LogCapture;
import dev.bulwark.testing.StandInGateway;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Phone sign-in end to end: codes travel through the outbox to a real HTTP server standing in for
 * the SMS gateway, and are read from what it received. Limits here are loose (every request comes
 * from one address); {@link PhoneAbuseLimitsTest} holds the real ones.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PhoneSignInTest {
  private static final Pattern CODE = Pattern.compile("^(\\d{6}) is your sign-in code");
  private static StandInGateway gateway;
  private static TestServer server;
  private static LogCapture logs;
  private static Redis redis;
  private static final Set<String> ISSUED = new LinkedHashSet<>();

  @BeforeAll
  static void start() {
    logs = LogCapture.attach();
    gateway = new StandInGateway();
    Map<String, String> env = TestServer.baseEnv();
    // a database of its own: every other live test server runs an outbox sender on the shared one
    env.put("DATABASE_URL", dev.bulwark.testing.TestServices.get().freshDatabaseUrl());
    env.put("SMS_GATEWAY_URL", gateway.url());
    env.put("SMS_GATEWAY_ADAPTER", "json");
    env.put("SMS_ALLOWED_COUNTRIES", "GB,US");
    env.put("PHONE_SIGNUP", "true");
    Map<String, String> props = new HashMap<>();
    props.put("outbox.pollInterval", "50ms");
    props.put("outbox.baseBackoff", "50ms");
    props.put("auth.otp.requestLimit", "1000");
    props.put("auth.otp.verifyLimit", "1000");
    props.put("auth.otp.resendAfter", "1s");
    props.put("auth.otp.dailyCap", "3");
    server = TestServer.start(env, props);
    redis = Redis.createClient(server.vertx(), env.get("REDIS_URL"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      redis.close();
      server.close();
    }
    gateway.close();
    logs.detach();
  }

  static String mobile() {
    return "+447400" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
  }

  private static HttpResponse<Buffer> post(String path, JsonObject body) {
    return server.send(server.request(HttpMethod.POST, path), body);
  }

  private static HttpResponse<Buffer> request(String phone) {
    return post("/api/v1/auth/otp/request", new JsonObject().put("phone", phone));
  }

  private static HttpResponse<Buffer> verify(String phone, String code) {
    return post("/api/v1/auth/otp/verify", new JsonObject().put("phone", phone).put("code", code));
  }

  /** Waits for the {@code n}-th SMS to the number and reads the code from it. */
  static String code(StandInGateway gateway, String e164, int n, Set<String> issued) {
    long deadline = System.currentTimeMillis() + 15_000;
    while (gateway.deliveredTo(e164) < n) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no SMS #" + n + " to " + e164);
      }
      sleep(20);
    }
    String text =
        gateway.received.stream()
            .filter(r -> r.to().equals(e164))
            .skip(n - 1)
            .findFirst()
            .get()
            .text();
    Matcher m = CODE.matcher(text);
    assertTrue(m.find(), text);
    issued.add(m.group(1));
    return m.group(1);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  @Order(1)
  void aFirstVerifyCreatesAPhoneOnlyAccountAndACodeWorksOnce() {
    String phone = mobile();
    HttpResponse<Buffer> r =
        request(phone.substring(0, 3) + " " + phone.substring(3)); // "+44 7400…"
    assertEquals(202, r.statusCode(), r.bodyAsString());
    assertEquals(
        new JsonObject().put("expires_in", 300).put("resend_after", 1), r.bodyAsJsonObject());
    String code = code(gateway, phone, 1, ISSUED);

    HttpResponse<Buffer> signedIn = verify(phone, code);
    assertEquals(200, signedIn.statusCode(), signedIn.bodyAsString());
    TestUser user = TestUsers.fromPair(null, null, signedIn.bodyAsJsonObject());
    JsonObject me =
        server.send(TestUsers.as(server, user, HttpMethod.GET, "/api/v1/me")).bodyAsJsonObject();
    assertEquals(phone, me.getString("phone"));
    assertNull(me.getString("email"));

    assertProblem(verify(phone, code), 400, "invalid_code"); // replayed after success

    // the same number signs in to the same account next time
    sleep(1100);
    assertEquals(202, request(phone).statusCode());
    HttpResponse<Buffer> again = verify(phone, code(gateway, phone, 2, ISSUED));
    assertEquals(200, again.statusCode(), again.bodyAsString());
    assertEquals(
        user.id().toString(),
        TestUsers.claims(again.bodyAsJsonObject().getString("access_token")).getString("sub"));
  }

  @Test
  @Order(2)
  void aCodeRequestAnswersTheSameWhetherOrNotTheNumberHasAnAccount() {
    String known = mobile();
    assertEquals(202, request(known).statusCode());
    assertEquals(200, verify(known, code(gateway, known, 1, ISSUED)).statusCode());
    sleep(1100);
    HttpResponse<Buffer> forKnown = request(known);
    HttpResponse<Buffer> forUnknown = request(mobile());
    assertEquals(202, forKnown.statusCode());
    assertEquals(forKnown.bodyAsString(), forUnknown.bodyAsString());
    code(gateway, known, 2, ISSUED);
  }

  @Test
  @Order(3)
  void badNumbersAreRefusedBeforeAnySmsIsSent() {
    Map<String, String> cases = new HashMap<>();
    cases.put("12345", "invalid_phone");
    cases.put("+44", "invalid_phone");
    cases.put("not a number", "invalid_phone");
    cases.put("+44 7400 abc123", "invalid_phone");
    cases.put("+99912345678", "invalid_phone");
    cases.put("+" + "7".repeat(40), "invalid_phone");
    cases.put("+441212345678", "not_a_mobile_number"); // a UK landline
    cases.put("+449012345678", "premium_rate_number"); // UK premium rate
    cases.put("+448001234567", "premium_rate_number"); // UK freephone
    cases.put("+33612345678", "country_not_allowed"); // a French mobile
    cases.forEach(
        (phone, code) -> {
          JsonObject problem = assertProblem(request(phone), 400, "validation_failed");
          assertEquals(
              code,
              problem.getJsonArray("errors").getJsonObject(0).getString("code"),
              phone + ": " + problem);
        });
    assertProblem(
        post("/api/v1/auth/otp/request", new JsonObject().put("phone", 447400123456L)),
        400,
        "validation_failed");
    assertProblem(verify(mobile(), "12ab56"), 400, "invalid_code");
    assertProblem(verify(mobile(), "123456"), 400, "invalid_code");
    sleep(300);
    for (StandInGateway.Received r : gateway.received) {
      assertFalse(cases.containsKey(r.to()), "an SMS to a refused number: " + r.to());
    }
  }

  @Test
  @Order(4)
  void twentyParallelWrongGuessesCountAtMostTheAttemptBudget() {
    String phone = mobile();
    assertEquals(202, request(phone).statusCode());
    String code = code(gateway, phone, 1, ISSUED);
    String wrong = code.equals("000000") ? "111111" : "000000";
    List<Future<HttpResponse<Buffer>>> guesses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      guesses.add(
          server
              .request(HttpMethod.POST, "/api/v1/auth/otp/verify")
              .sendJsonObject(new JsonObject().put("phone", phone).put("code", wrong)));
    }
    for (Future<HttpResponse<Buffer>> g : guesses) {
      assertProblem(Await.result(g), 400, "invalid_code");
    }
    String attempts =
        Await.result(
                redis.send(
                    Request.cmd(Command.HGET)
                        .arg(OtpCodes.codeKey(phone, OtpCodes.SIGN_IN))
                        .arg("a")))
            .toString();
    assertEquals("5", attempts, "twenty guesses, five counted");
    assertProblem(
        verify(phone, code), 400, "invalid_code"); // the budget is spent: the code is dead
  }

  @Test
  @Order(5)
  void oneSmsPerNumberPerGapAndADailyCap() {
    String phone = mobile();
    assertEquals(202, request(phone).statusCode());
    HttpResponse<Buffer> tooSoon = request(phone);
    assertProblem(tooSoon, 429, "too_many_requests");
    assertEquals("1", tooSoon.getHeader("Retry-After"));
    sleep(1100);
    assertEquals(202, request(phone).statusCode());
    sleep(1100);
    assertEquals(202, request(phone).statusCode());
    sleep(1100);
    HttpResponse<Buffer> capped = request(phone);
    assertProblem(capped, 429, "too_many_requests");
    assertTrue(Long.parseLong(capped.getHeader("Retry-After")) > 3600, "until the day ends");
    code(gateway, phone, 3, ISSUED);
  }

  @Test
  @Order(6)
  void aGatewayOutageDelaysTheSmsButNeverTheAnswer() {
    String phone = mobile();
    gateway.behaviour = to -> to.equals(phone) && gateway.attempts(phone) <= 2 ? 500 : 200;
    try {
      assertEquals(202, request(phone).statusCode(), "answered while the gateway fails");
      String code = code(gateway, phone, 1, ISSUED);
      assertEquals(3, gateway.attempts(phone), "two 500s, then delivered");
      assertEquals(200, verify(phone, code).statusCode());
    } finally {
      gateway.behaviour = to -> 200;
    }
  }

  @Test
  @Order(7)
  void aSignedInUserLinksANumberOnceAndNoOtherAccountCanTakeIt() {
    TestUser user = TestUsers.signup(server);
    String phone = mobile();
    HttpResponse<Buffer> r =
        server.send(
            TestUsers.as(server, user, HttpMethod.POST, "/api/v1/me/phone"),
            new JsonObject().put("phone", phone));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    String code = code(gateway, phone, 1, ISSUED);
    // a sign-in code is not a link code, nor the other way round
    assertProblem(verify(phone, code), 400, "invalid_code");
    HttpResponse<Buffer> linked =
        server.send(
            TestUsers.as(server, user, HttpMethod.POST, "/api/v1/me/phone/verify"),
            new JsonObject().put("phone", phone).put("code", code));
    assertEquals(204, linked.statusCode(), linked.bodyAsString());
    assertEquals(
        phone,
        server
            .send(TestUsers.as(server, user, HttpMethod.GET, "/api/v1/me"))
            .bodyAsJsonObject()
            .getString("phone"));

    TestUser other = TestUsers.signup(server);
    sleep(1100);
    assertEquals(
        202,
        server
            .send(
                TestUsers.as(server, other, HttpMethod.POST, "/api/v1/me/phone"),
                new JsonObject().put("phone", phone))
            .statusCode());
    String second = code(gateway, phone, 2, ISSUED);
    assertProblem(
        server.send(
            TestUsers.as(server, other, HttpMethod.POST, "/api/v1/me/phone/verify"),
            new JsonObject().put("phone", phone).put("code", second)),
        409,
        "phone_taken");
    // and signing in with the number reaches the account that linked it
    sleep(1100);
    assertEquals(202, request(phone).statusCode());
    HttpResponse<Buffer> in = verify(phone, code(gateway, phone, 3, ISSUED));
    assertEquals(
        user.id().toString(),
        TestUsers.claims(in.bodyAsJsonObject().getString("access_token")).getString("sub"));
  }

  /**
   * The phone account carries the deployment's lowest role in its token, and a code proves the
   * number, not a right to an account an administrator disabled: 403 like a password login.
   */
  @Test
  @Order(8)
  void aDisabledAccountCannotSignInByPhone() {
    String phone = mobile();
    assertEquals(202, request(phone).statusCode());
    HttpResponse<Buffer> first = verify(phone, code(gateway, phone, 1, ISSUED));
    assertEquals(200, first.statusCode(), first.bodyAsString());
    assertEquals(
        "user",
        TestUsers.claims(first.bodyAsJsonObject().getString("access_token")).getString("role"));

    Await.result(
        server
            .app()
            .pg()
            .preparedQuery("UPDATE users SET disabled_at = now() WHERE phone = $1")
            .execute(io.vertx.sqlclient.Tuple.of(phone)));
    sleep(1100);
    assertEquals(202, request(phone).statusCode());
    assertProblem(verify(phone, code(gateway, phone, 2, ISSUED)), 403, "account_disabled");
  }

  @Test
  @Order(9)
  void anSmsCodeIsOnlyTheFirstFactorOfAnAccountWithTotp() {
    String phone = mobile();
    assertEquals(202, request(phone).statusCode());
    HttpResponse<Buffer> first = verify(phone, code(gateway, phone, 1, ISSUED));
    assertEquals(200, first.statusCode(), first.bodyAsString());
    TestUser user = TestUsers.fromPair(null, null, first.bodyAsJsonObject());
    assertEquals(
        new JsonArray().add("sms"), TestUsers.claims(user.accessToken()).getJsonArray("amr"));
    MfaClient mfa = new MfaClient(server, java.time.Clock.systemUTC());
    MfaClient.Factor f = mfa.enrolAndActivate(user);

    sleep(1100);
    assertEquals(202, request(phone).statusCode());
    HttpResponse<Buffer> second = verify(phone, code(gateway, phone, 2, ISSUED));
    assertEquals(200, second.statusCode(), second.bodyAsString());
    JsonObject challenge = second.bodyAsJsonObject();
    assertEquals(Boolean.TRUE, challenge.getBoolean("mfa_required"), challenge::encode);
    assertNull(challenge.getString("access_token"));
    HttpResponse<Buffer> done =
        mfa.verify(challenge.getString("mfa_token"), MfaClient.code(f.secret(), mfa.step()));
    assertEquals(200, done.statusCode(), done.bodyAsString());
    JsonObject claims = TestUsers.claims(done.bodyAsJsonObject().getString("access_token"));
    assertEquals(2, claims.getInteger("aal"));
    assertEquals(new JsonArray().add("sms").add("otp"), claims.getJsonArray("amr"));
  }

  @Test
  @Order(100)
  void noIssuedCodeAppearsInAnyLogLineResponseOrMetric() {
    assertTrue(ISSUED.size() >= 8, "codes issued: " + ISSUED.size());
    List<String> lines = logs.lines();
    String metrics = server.get("/metrics").bodyAsString();
    for (String code : ISSUED) {
      for (String line : lines) {
        assertFalse(line.contains(code), "a code in a log line: " + line);
      }
      assertFalse(metrics.contains(" " + code), "a code on /metrics");
    }
    Long unsentBodies =
        Await.result(
                server
                    .app()
                    .pg()
                    .query(
                        "SELECT count(*) FROM outbound_messages WHERE kind = 'sms' AND sent_at IS NOT NULL AND body IS NOT NULL")
                    .execute())
            .iterator()
            .next()
            .getLong(0);
    assertEquals(0L, unsentBodies);
  }
}
