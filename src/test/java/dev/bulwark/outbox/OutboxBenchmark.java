package dev.bulwark.outbox;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.StandInGateway;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Measurements for the lead, not assertions, excluded from the default suite: {@code mvn -B test
 * -Dgroups=benchmark -DexcludedGroups=none -Dtest=OutboxBenchmark}. Prints forgot-password latency
 * (p50/p99 over 1,000 known and 1,000 unknown addresses, interleaved) and how long the outbox takes
 * to drain 10,000 queued SMS against a local stand-in gateway.
 */
@Tag("benchmark")
class OutboxBenchmark {
  private static final int FORGOT = 1000;
  private static final int DRAIN = 10_000;

  @Test
  void forgotPasswordTimingKnownVersusUnknown() {
    Map<String, String> env = TestServer.baseEnv();
    // a database of its own: every other live test server runs an outbox sender on the shared one
    env.put("DATABASE_URL", dev.bulwark.testing.TestServices.get().freshDatabaseUrl());
    Map<String, String> props = new HashMap<>();
    props.put("auth.emailLimits.perIp", "100000");
    try (TestServer server = TestServer.start(env, props)) {
      List<String> known = new ArrayList<>();
      for (int i = 0; i < FORGOT; i++) {
        known.add(TestUsers.signup(server).email());
      }
      for (int i = 0; i < 200; i++) { // warm-up
        forgot(server, TestUsers.uniqueEmail());
      }
      long[] k = new long[FORGOT];
      long[] u = new long[FORGOT];
      for (int i = 0; i < FORGOT; i++) {
        if (i % 2 == 0) {
          k[i] = forgot(server, known.get(i));
          u[i] = forgot(server, TestUsers.uniqueEmail());
        } else {
          u[i] = forgot(server, TestUsers.uniqueEmail());
          k[i] = forgot(server, known.get(i));
        }
      }
      System.out.printf(
          "forgot-password known:   p50 %.2f ms  p99 %.2f ms%n", pct(k, 50), pct(k, 99));
      System.out.printf(
          "forgot-password unknown: p50 %.2f ms  p99 %.2f ms%n", pct(u, 50), pct(u, 99));
    }
  }

  private static long forgot(TestServer server, String email) {
    long t = System.nanoTime();
    int status =
        server
            .send(
                server.request(HttpMethod.POST, "/api/v1/auth/password/forgot"),
                new JsonObject().put("email", email))
            .statusCode();
    long took = System.nanoTime() - t;
    if (status != 202) {
      throw new AssertionError("forgot answered " + status);
    }
    return took;
  }

  private static double pct(long[] nanos, int p) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)] / 1e6;
  }

  @Test
  void drainTenThousandAgainstTheStandInGateway() throws Exception {
    try (StandInGateway gateway = new StandInGateway()) {
      Map<String, String> env = TestServer.baseEnv();
      // a database of its own: every other live test server runs an outbox sender on the shared one
      env.put("DATABASE_URL", dev.bulwark.testing.TestServices.get().freshDatabaseUrl());
      env.put("SMS_GATEWAY_URL", gateway.url());
      env.put("SMS_GATEWAY_ADAPTER", "json");
      Map<String, String> props = new HashMap<>();
      props.put("outbox.pollInterval", "5m"); // nothing drains while the backlog is written
      try (TestServer server = TestServer.start(env, props)) {
        Pool pg = server.app().pg();
        Await.result(
            pg.query(
                    "INSERT INTO outbound_messages (kind, recipient, body, next_attempt_at)"
                        + " SELECT 'sms', '+4479' || lpad(g::text, 8, '0'), 'Your code is 123456',"
                        + " now() + interval '1 hour' FROM generate_series(1, "
                        + DRAIN
                        + ") g")
                .execute());
        // a second process on the same database: a port of its own
        Map<String, String> senderEnv = new HashMap<>(env);
        senderEnv.put("HTTP_PORT", TestServer.baseEnv().get("HTTP_PORT"));
        try (TestServer sender =
            TestServer.start(senderEnv, Map.of("outbox.pollInterval", "100ms"))) {
          long start = System.nanoTime();
          Await.result(
              pg.query(
                      "UPDATE outbound_messages SET next_attempt_at = now()"
                          + " WHERE sent_at IS NULL AND expired_at IS NULL")
                  .execute());
          while (gateway.received.size() < DRAIN) {
            Thread.sleep(20);
          }
          System.out.printf(
              "outbox drained %d messages in %.1f s (batchSize default)%n",
              DRAIN, (System.nanoTime() - start) / 1e9);
        }
      }
    }
  }
}
