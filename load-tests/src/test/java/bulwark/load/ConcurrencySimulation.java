package bulwark.load;

import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * The concurrency target: {@code users} (10,000) clients each holding its own keep-alive connection (Gatling's
 * default: connections are not shared between virtual users) and sending one authenticated list every
 * {@code intervalMs} (5 s, paced, so a slow answer does not lower the offered load). 10,000 / 5 s = 2,000 req/s
 * over 10,000 open sockets. Target: p99 &lt; 100 ms, no failures. Needs {@code ulimit -n} well above
 * {@code users} in both JVMs (run-benchmark.sh raises it).
 *
 * <p>-Dusers=10000 -Dramp=30 -Dduration=60 -DintervalMs=5000 -Dp95Ms=50 -Dp99Ms=100 -DmaxFailedPct=0
 */
public class ConcurrencySimulation extends Simulation {
  private final int users = Params.integer("users", 10_000);
  private final Duration ramp = Params.seconds("ramp", 30);
  private final Duration duration = Params.seconds("duration", 60);
  private final Duration interval = Duration.ofMillis(Params.integer("intervalMs", 5000));

  // every client stays until the last one has been connected for `duration`
  private final ScenarioBuilder clients = scenario("keep-alive clients")
      .feed(Api.accounts())
      .during(ramp.plus(duration)).on(
          // first request at a random point of the interval, so the fleet does not fire in lockstep
          pace(interval)
              .exec(Api.listTasks("list tasks")));

  private static io.gatling.javaapi.core.ChainBuilder pace(Duration interval) {
    return io.gatling.javaapi.core.CoreDsl.pace(interval.dividedBy(2), interval.plus(interval.dividedBy(2)).minusMillis(1));
  }

  {
    Params.announce("Concurrency", users + " connections ramped over " + ramp.toSeconds() + " s, one request per "
        + interval.toMillis() + " ms each, held " + duration.toSeconds() + " s");
    setUp(clients.injectOpen(rampUsers(users).during(ramp)))
        .protocols(Api.protocol())
        .maxDuration(ramp.plus(duration).plusSeconds(30))
        .assertions(
            global().responseTime().percentile(95.0).lt(Params.integer("p95Ms", 50)),
            global().responseTime().percentile(99.0).lt(Params.integer("p99Ms", 100)),
            global().failedRequests().percent().lte(Params.decimal("maxFailedPct", 0.0)));
  }
}
