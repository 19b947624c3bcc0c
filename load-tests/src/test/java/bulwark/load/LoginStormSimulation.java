package bulwark.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Back-pressure: logins at {@code loginRps} — by default 3× what the server's default hasher can do on the 2-core
 * box: {@code hasher.instances} defaults to half the cores, so one bcrypt worker, and a hash at cost 12 takes
 * ≈ 330 ms, so ≈ 3 logins/s; 9/s is 3× — while ReadHeavy-style reads go on at {@code rps}. On a bigger box, or with
 * {@code HASHER_INSTANCES} set, pass {@code -DloginRps=} 9 × workers (× 330 ms ÷ your hash time).
 *
 * <p>The login SLO, asserted as percentiles of every login answer (200 or 503): most are refused, and a refusal is
 * fast — p50 under {@code loginP50Ms} (50 ms; at 3× two logins in three are 503s) — and the ones served wait at
 * most the hasher's queue — p99 under {@code loginP99Ms} (3 s: 8 hashes ≈ 2.6 s plus its own). Every login is
 * answered 200, or 503 {@code server_busy} with {@code Retry-After}; anything else, or a timeout (Gatling's request
 * timeout is 10 s), is a failed request, and none may fail ({@code maxFailedPct}). No single slow answer decides
 * the verdict. Reads keep p95 &lt; {@code p95Ms} and p99 &lt; {@code p99Ms}. Assertions are per group: {@code reads}
 * and {@code logins}. The harness reports how many logins were turned away (the server's
 * {@code bulwark_problems_total{status="503",code="server_busy"}}).
 *
 * <p>The storm runs at full rate for {@code warmupSeconds} first, reported under the groups {@code warm-up reads}
 * and {@code warm-up logins} and not asserted: each simulation is a fresh Gatling JVM, and its own start-up (class
 * loading, JIT on both cores of a 2-core box shared with the server) and the server's first logins (its login
 * path is cold after a read-only prime) otherwise land in the first seconds of the measurement as a stall that
 * says nothing about steady back-pressure. The warm-up groups stay in the report for anyone who wants them.
 *
 * <p>The warm-up is not asserted, but the contract holds there too: the server
 * refuses at once what its workers cannot hash in time, so warm-up logins are 503s, not timeouts.
 *
 * <p>-Drps=1000 -DloginRps=9 -Dduration=60 -DwarmupSeconds=15 -Dp95Ms=25 -Dp99Ms=50 -DloginP50Ms=50
 * -DloginP99Ms=3000 -DmaxFailedPct=0
 */
public class LoginStormSimulation extends Simulation {
  private final int rps = Params.integer("rps", 1000);
  private final int loginRps = Params.integer("loginRps", 9);
  private final Duration duration = Params.seconds("duration", 60);
  private final Duration warmup = Params.seconds("warmupSeconds", 15);

  private final ScenarioBuilder warmupReads = reads("warm-up reads");
  private final ScenarioBuilder warmupLogins = logins("warm-up logins");
  private final ScenarioBuilder reads = reads("reads");
  private final ScenarioBuilder logins = logins("logins");

  private static ScenarioBuilder reads(String group) {
    return scenario(group).feed(Api.accounts()).group(group).on(Api.listTasks("list tasks"));
  }

  private ScenarioBuilder logins(String group) {
    return scenario(group)
      .feed(Api.accounts())
      .group(group).on(
          http("login").post("/api/v1/auth/login")
              .body(StringBody("{\"email\":\"#{email}\",\"password\":\"#{password}\",\"device_name\":\"load-test\"}"))
              .check(status().in(200, 503))
              .checkIf((response, session) -> response.status().code() == 503).then(
                  header("Retry-After").exists(),
                  jsonPath("$.code").is("server_busy"))
              .checkIf((response, session) -> response.status().code() == 200).then(
                  jsonPath("$.access_token").exists()));
  }

  {
    Params.announce("LoginStorm", loginRps + " logins/s with " + rps + " reads/s for " + duration.toSeconds()
        + " s after a " + warmup.toSeconds() + " s warm-up at the same rates");
    setUp(
        warmupReads.injectOpen(constantUsersPerSec(rps).during(warmup)).protocols(Api.protocol().shareConnections()),
        warmupLogins.injectOpen(constantUsersPerSec(loginRps).during(warmup)).protocols(Api.protocol()),
        reads.injectOpen(nothingFor(warmup), constantUsersPerSec(rps).during(duration))
            .protocols(Api.protocol().shareConnections()),
        logins.injectOpen(nothingFor(warmup), constantUsersPerSec(loginRps).during(duration))
            .protocols(Api.protocol()))
        .assertions(
            details("reads").responseTime().percentile(95.0).lt(Params.integer("p95Ms", 25)),
            details("reads").responseTime().percentile(99.0).lt(Params.integer("p99Ms", 50)),
            details("reads").failedRequests().percent().lte(Params.decimal("maxFailedPct", 0.0)),
            // a timeout, or any status but 200 and 503 server_busy, fails the login request
            details("logins").failedRequests().percent().lte(Params.decimal("maxFailedPct", 0.0)),
            details("logins").responseTime().percentile(50.0).lt(Params.integer("loginP50Ms", 50)),
            details("logins").responseTime().percentile(99.0).lt(Params.integer("loginP99Ms", 3_000)));
  }
}
