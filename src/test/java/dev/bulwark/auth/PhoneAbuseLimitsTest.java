package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.StandInGateway;
import dev.bulwark.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The civic app's abuse limits as configured by default — code requests 3 per 5 min and verifies 5
 * per 15 min per client address and per number, one SMS per number per 60 s, a global hourly SMS
 * budget (503 sms_budget_exhausted, counted on /metrics) — with phone sign-up off. Client addresses
 * are told through a trusted proxy, so each test is a client of its own.
 */
class PhoneAbuseLimitsTest {
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  private static StandInGateway gateway;
  private static TestServer server;
  private static Redis redis;

  @BeforeAll
  static void start() {
    gateway = new StandInGateway();
    Map<String, String> env = TestServer.baseEnv();
    // a database of its own: every other live test server runs an outbox sender on the shared one
    env.put("DATABASE_URL", dev.bulwark.testing.TestServices.get().freshDatabaseUrl());
    env.put("SMS_GATEWAY_URL", gateway.url());
    env.put("SMS_GATEWAY_ADAPTER", "json");
    env.put("SMS_ALLOWED_COUNTRIES", "GB");
    env.put("RATE_LIMIT_TRUSTED_PROXIES", "127.0.0.1/32");
    Map<String, String> props = new HashMap<>();
    props.put("outbox.pollInterval", "50ms");
    props.put("sms.hourlyBudget", "50");
    server = TestServer.start(env, props);
    redis = Redis.createClient(server.vertx(), env.get("REDIS_URL"));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      Await.result(redis.send(Request.cmd(Command.DEL).arg(OtpCodes.BUDGET_KEY)));
      redis.close();
      server.close();
    }
    gateway.close();
  }

  private static String client() {
    return "198.51.100." + CLIENTS.incrementAndGet();
  }

  private static HttpResponse<Buffer> post(String ip, String path, JsonObject body) {
    return server.send(
        server.request(HttpMethod.POST, path).putHeader("X-Forwarded-For", ip), body);
  }

  private static HttpResponse<Buffer> request(String ip, String phone) {
    return post(ip, "/api/v1/auth/otp/request", new JsonObject().put("phone", phone));
  }

  private static HttpResponse<Buffer> verify(String ip, String phone, String code) {
    return post(
        ip, "/api/v1/auth/otp/verify", new JsonObject().put("phone", phone).put("code", code));
  }

  @Test
  void codeRequestsAreLimitedPerClientAddress() {
    String ip = client();
    for (int i = 0; i < 3; i++) {
      assertEquals(202, request(ip, PhoneSignInTest.mobile()).statusCode());
    }
    HttpResponse<Buffer> refused = request(ip, PhoneSignInTest.mobile());
    assertProblem(refused, 429, "too_many_requests");
    assertTrue(Long.parseLong(refused.getHeader("Retry-After")) > 0);
    assertEquals(202, request(client(), PhoneSignInTest.mobile()).statusCode(), "others are not");
  }

  @Test
  void oneSmsPerNumberPerMinuteWhoeverAsks() {
    String phone = PhoneSignInTest.mobile();
    assertEquals(202, request(client(), phone).statusCode());
    HttpResponse<Buffer> again = request(client(), phone);
    assertProblem(again, 429, "too_many_requests");
    long wait = Long.parseLong(again.getHeader("Retry-After"));
    assertTrue(wait > 50 && wait <= 60, "about a minute: " + wait);
  }

  @Test
  void verifiesAreLimitedPerClientAddressAndPerNumber() {
    String ip = client();
    for (int i = 0; i < 5; i++) {
      assertProblem(verify(ip, PhoneSignInTest.mobile(), "123456"), 400, "invalid_code");
    }
    assertProblem(verify(ip, PhoneSignInTest.mobile(), "123456"), 429, "too_many_requests");

    String phone = PhoneSignInTest.mobile();
    for (int i = 0; i < 5; i++) {
      assertProblem(verify(client(), phone, "123456"), 400, "invalid_code");
    }
    assertProblem(verify(client(), phone, "123456"), 429, "too_many_requests");
  }

  @Test
  void withPhoneSignupOffAnUnknownNumberCannotCreateAnAccount() {
    String phone = PhoneSignInTest.mobile();
    assertEquals(202, request(client(), phone).statusCode());
    String code = PhoneSignInTest.code(gateway, phone, 1, new HashSet<>());
    assertProblem(verify(client(), phone, code), 403, "phone_not_registered");
  }

  @Test
  void theHourlySmsBudgetAnswers503AndIsCounted() {
    // as if the rest of this hour's budget (50) had been spent by others
    Await.result(
        redis.send(
            Request.cmd(Command.SET).arg(OtpCodes.BUDGET_KEY).arg("49").arg("PX").arg(3_600_000)));
    String before = server.get("/metrics").bodyAsString();
    assertEquals(202, request(client(), PhoneSignInTest.mobile()).statusCode(), "the 50th");
    HttpResponse<Buffer> refused = request(client(), PhoneSignInTest.mobile());
    assertProblem(refused, 503, "sms_budget_exhausted");
    assertTrue(refused.getHeader("Retry-After") != null);
    String after = server.get("/metrics").bodyAsString();
    assertTrue(
        counter(after) > counter(before), "bulwark_sms_budget_exhausted_total counts the refusal");
    Await.result(redis.send(Request.cmd(Command.DEL).arg(OtpCodes.BUDGET_KEY)));
  }

  private static double counter(String scrape) {
    Matcher m =
        Pattern.compile("(?m)^bulwark_sms_budget_exhausted_total(\\{[^}]*\\})? (\\S+)$")
            .matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(2)) : -1;
  }
}
