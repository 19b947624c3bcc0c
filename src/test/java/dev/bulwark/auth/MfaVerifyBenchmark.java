package dev.bulwark.auth;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Measurements for the lead, not assertions, excluded from the default suite: {@code mvn -B test
 * -Dgroups=benchmark -DexcludedGroups=none -Dtest=MfaVerifyBenchmark} (optionally {@code
 * -Dmfa.bench.rate=200 -Dmfa.bench.seconds=20}). Prepares one account per verification (each with
 * an active factor and a pending login, on a frozen clock so every code stays valid), then sends
 * {@code POST /api/v1/auth/mfa/verify} open-loop at the rate — a request every 1/rate seconds,
 * whether or not earlier ones have answered — and prints p50/p99/max of the latency and the
 * statuses.
 */
@Tag("benchmark")
class MfaVerifyBenchmark {
  @Test
  void verifyLatencyAtAFixedRate() {
    int rate = Integer.getInteger("mfa.bench.rate", 200);
    int seconds = Integer.getInteger("mfa.bench.seconds", 20);
    int total = rate * seconds;
    Map<String, String> env = TestServer.baseEnv();
    env.put("DATABASE_URL", TestServices.get().freshDatabaseUrl());
    // frozen at the start of a step: codes of this step stay valid however long the set-up takes
    SessionLifetimeTest.MovableClock clock =
        new SessionLifetimeTest.MovableClock(Instant.parse("2031-01-01T00:00:00Z"));
    try (TestServer server = TestServer.start(env, Map.of(), clock)) {
      MfaClient client = new MfaClient(server, clock);
      List<String[]> logins = new ArrayList<>(total);
      for (int i = 0; i < total; i++) {
        TestUser u = TestUsers.signup(server);
        MfaClient.Factor f = client.enrolAndActivate(u);
        logins.add(new String[] {client.mfaToken(u), MfaClient.code(f.secret(), client.step())});
      }
      long[] nanos = new long[total];
      int[] statuses = new int[total];
      AtomicInteger done = new AtomicInteger();
      Promise<Void> finished = Promise.promise();
      long periodNanos = 1_000_000_000L / rate;
      long start = System.nanoTime();
      // a timer per millisecond sends every request whose slot has come: open loop, no waiting
      AtomicInteger next = new AtomicInteger();
      long timer =
          server
              .vertx()
              .setPeriodic(
                  1,
                  id -> {
                    long due = (System.nanoTime() - start) / periodNanos + 1;
                    while (next.get() < Math.min(due, total)) {
                      int i = next.getAndIncrement();
                      long sent = System.nanoTime();
                      server
                          .request(HttpMethod.POST, "/api/v1/auth/mfa/verify")
                          .sendJsonObject(
                              new JsonObject()
                                  .put("mfa_token", logins.get(i)[0])
                                  .put("code", logins.get(i)[1]))
                          .onComplete(
                              r -> {
                                nanos[i] = System.nanoTime() - sent;
                                statuses[i] = r.succeeded() ? r.result().statusCode() : -1;
                                if (done.incrementAndGet() == total) {
                                  finished.complete();
                                }
                              });
                    }
                  });
      Await.result(
          finished
              .future()
              .eventually(() -> Future.succeededFuture(server.vertx().cancelTimer(timer))));
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      System.out.printf(
          "mfa verify at %d/s for %d s (%d requests): p50 %.2f ms  p99 %.2f ms  max %.2f ms;"
              + " 200s: %d%n",
          rate,
          seconds,
          total,
          pct(sorted, 50),
          pct(sorted, 99),
          sorted[sorted.length - 1] / 1e6,
          Arrays.stream(statuses).filter(s -> s == 200).count());
    }
  }

  private static double pct(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)]
        / 1e6;
  }
}
