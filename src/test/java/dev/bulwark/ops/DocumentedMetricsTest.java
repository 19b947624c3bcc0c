package dev.bulwark.ops;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.auth.MfaClient;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * Every metric docs/OPERATIONS.md lists is on {@code /metrics} after a scripted session against the
 * real server — signup, login, refresh, a replayed and a reused refresh token, a lockout, a 429,
 * Redis going away — and every {@code bulwark_events_total} event it lists was counted by that
 * session; every {@code bulwark_*} series on {@code /metrics} is listed. A metric documented but
 * never produced, or produced but undocumented, fails here.
 */
class DocumentedMetricsTest {
  private static final Pattern ROW =
      Pattern.compile("^\\| `([a-z_]+)(\\{event=\"([a-z_]+)\"\\})?` \\|");
  private static final Pattern SAMPLE = Pattern.compile("^([a-z_:]+)(\\{[^}]*\\})? (\\S+)$");

  /** A documented metric: its name, and for {@code bulwark_events_total} the event. */
  private record Documented(String name, String event) {}

  private static List<Documented> documented() throws Exception {
    String ops = Files.readString(Path.of("docs", "OPERATIONS.md"));
    int from = ops.indexOf("\n## Metrics\n");
    int to = ops.indexOf("\n## ", from + 1);
    assertTrue(from >= 0, "docs/OPERATIONS.md has a Metrics section");
    List<Documented> out = new ArrayList<>();
    for (String line : ops.substring(from, to < 0 ? ops.length() : to).split("\n")) {
      Matcher m = ROW.matcher(line);
      if (m.find()) {
        out.add(new Documented(m.group(1), m.group(3)));
      }
    }
    assertTrue(out.size() > 10, "the Metrics section lists its metrics in a table: " + out);
    return out;
  }

  /** The value of {@code bulwark_events_total{event="..."}} in a scrape. */
  private static double event(String scrape, String event) {
    for (String line : scrape.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (m.matches()
          && m.group(1).equals("bulwark_events_total")
          && m.group(2).contains("event=\"" + event + "\"")) {
        return Double.parseDouble(m.group(3));
      }
    }
    return -1;
  }

  private static HttpResponse<Buffer> login(TestServer server, String email, String password) {
    return server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/login"),
        new JsonObject().put("email", email).put("password", password));
  }

  private static HttpResponse<Buffer> refresh(TestServer server, String token) {
    return server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
        new JsonObject().put("refresh_token", token));
  }

  /**
   * A second factor's life: enrolled, activated, used, replayed, a recovery code, removed; then
   * another account's second factor braked by ten wrong codes.
   */
  private static void mfaSession(TestServer server) {
    MfaClient mfa = new MfaClient(server, Clock.systemUTC());
    TestUser owner = TestUsers.signup(server);
    MfaClient.Factor f = mfa.enrolAndActivate(owner);
    long step = mfa.step();
    TestUser strong = mfa.signInWithCode(owner, f.secret(), step);
    assertProblem(
        mfa.verify(mfa.mfaToken(owner), MfaClient.code(f.secret(), step)),
        401,
        "code_already_used");
    assertEquals(
        200, mfa.verifyRecovery(mfa.mfaToken(owner), f.recoveryCodes().get(0)).statusCode());
    assertEquals(
        204,
        server
            .send(
                TestUsers.as(server, strong, HttpMethod.DELETE, "/api/v1/me/mfa/totp/" + f.id()),
                new JsonObject()
                    .put("password", owner.password())
                    .put("code", MfaClient.code(f.secret(), step + 1)))
            .statusCode());

    TestUser braked = TestUsers.signup(server);
    MfaClient.Factor g = mfa.enrolAndActivate(braked);
    String wrong = MfaClient.code(g.secret(), mfa.step() + 10);
    for (int token = 0; token < 2; token++) {
      String mfaToken = mfa.mfaToken(braked);
      for (int i = 0; i < 5; i++) {
        assertProblem(mfa.verify(mfaToken, wrong), 401, "invalid_code");
      }
    }
    assertProblem(
        mfa.verify(mfa.mfaToken(braked), MfaClient.code(g.secret(), mfa.step())),
        429,
        "second_factor_locked");
  }

  @Test
  void everyDocumentedMetricIsProducedByARealSession() throws Exception {
    List<Documented> documented = documented();
    int redisPort = TestServices.freePort();
    RedisServer redis = TestServices.startRedis(redisPort);
    String rule = "metricsdoc" + UUID.randomUUID().toString().substring(0, 8);
    Map<String, String> env = TestServer.baseEnv();
    env.put("REDIS_URL", "redis://127.0.0.1:" + redisPort);
    env.put(
        "RATE_LIMIT_RULES",
        new JsonArray()
            .add(
                new JsonObject()
                    .put("name", rule)
                    .put("match", "GET /api/status")
                    .put("key", "ip")
                    .put("limits", new JsonArray().add("2/1m")))
            .encode());
    Map<String, String> props =
        Map.of(
            "auth.lockout.threshold",
            "2",
            "rateLimit.redisRetry",
            "200ms",
            "redis.commandTimeout",
            "300ms");
    try (TestServer server = TestServer.start(env, props)) {
      String before = server.get("/metrics").bodyAsString();

      TestUser user = TestUsers.signup(server);
      assertEquals(200, login(server, user.email(), user.password()).statusCode());
      HttpResponse<Buffer> rotated = refresh(server, user.refreshToken());
      assertEquals(200, rotated.statusCode(), rotated.bodyAsString());
      assertEquals(
          200,
          refresh(server, user.refreshToken()).statusCode(),
          "a replay within the grace window");
      assertEquals(
          200, refresh(server, rotated.bodyAsJsonObject().getString("refresh_token")).statusCode());
      assertProblem(refresh(server, user.refreshToken()), 401, "refresh_token_reused");

      TestUser victim = TestUsers.signup(server);
      assertProblem(login(server, victim.email(), "wrong-1"), 401, "invalid_credentials");
      assertProblem(login(server, victim.email(), "wrong-2"), 401, "invalid_credentials");
      assertProblem(login(server, victim.email(), victim.password()), 429, "too_many_attempts");

      mfaSession(server);

      assertEquals(200, server.get("/api/status").statusCode());
      assertEquals(200, server.get("/api/status").statusCode());
      assertProblem(server.get("/api/status"), 429, "rate_limited");

      redis.stop();
      server.get("/api/status"); // decided by the in-process windows (failMode local)

      String after = server.get("/metrics").bodyAsString();
      for (Documented d : documented) {
        assertTrue(
            Set.of("", "_bucket", "_count").stream()
                .anyMatch(
                    suffix ->
                        after.contains("\n" + d.name() + suffix + "{")
                            || after.contains("\n" + d.name() + suffix + " ")),
            d.name() + " is documented but not on /metrics");
        if (d.event() != null) {
          assertTrue(
              event(after, d.event()) > event(before, d.event()),
              "bulwark_events_total{event=\""
                  + d.event()
                  + "\"} is documented but the session did not count it");
        }
      }
      Set<String> undocumented = new TreeSet<>();
      for (String line : after.split("\n")) {
        Matcher m = SAMPLE.matcher(line);
        if (!m.matches() || !m.group(1).startsWith("bulwark_")) {
          continue;
        }
        String name = m.group(1);
        Matcher ev =
            Pattern.compile("event=\"([a-z_]+)\"").matcher(m.group(2) == null ? "" : m.group(2));
        String event = ev.find() ? ev.group(1) : null;
        if (documented.stream()
            .noneMatch(d -> d.name().equals(name) && (event == null || event.equals(d.event())))) {
          undocumented.add(name + (event == null ? "" : "{event=\"" + event + "\"}"));
        }
      }
      assertEquals(Set.of(), undocumented, "on /metrics but not in docs/OPERATIONS.md");
    } finally {
      if (redis.isActive()) {
        redis.stop();
      }
    }
  }
}
