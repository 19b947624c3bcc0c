package bulwark.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The latency target: authenticated {@code GET /api/v1/tasks} (first page, 20 rows) at a constant arrival rate.
 * Target on the 2-core box: 2,000 req/s for 60 s, p99 &lt; 25 ms, no failures. Open model: {@code rps} requests
 * per second arrive whatever the latency; clients share keep-alive connections (a fleet behind a few
 * gateways), so the server's work per request is measured, not TCP handshakes.
 *
 * <p>-Drps=2000 -Dduration=60 -Dramp=10 -Dp95Ms=15 -Dp99Ms=25 -DmaxFailedPct=0 -DusersFile=...
 */
public class ReadHeavySimulation extends Simulation {
  private final int rps = Params.integer("rps", 2000);
  private final Duration duration = Params.seconds("duration", 60);
  private final Duration ramp = Params.seconds("ramp", 10);

  private final ScenarioBuilder reads = scenario("read heavy")
      .feed(Api.accounts())
      .exec(Api.listTasks("list tasks"));

  {
    Params.announce("ReadHeavy", rps + " req/s for " + duration.toSeconds() + " s after a " + ramp.toSeconds() + " s ramp");
    setUp(reads.injectOpen(
        rampUsersPerSec(Math.max(1, rps / 10)).to(rps).during(ramp.isZero() ? Duration.ofSeconds(1) : ramp),
        constantUsersPerSec(rps).during(duration)))
        .protocols(Api.protocol().shareConnections())
        .assertions(
            global().responseTime().percentile(95.0).lt(Params.integer("p95Ms", 15)),
            global().responseTime().percentile(99.0).lt(Params.integer("p99Ms", 25)),
            global().failedRequests().percent().lte(Params.decimal("maxFailedPct", 0.0)));
  }
}
