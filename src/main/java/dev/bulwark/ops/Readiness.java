package dev.bulwark.ops;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Postgres and Redis reachability through vertx-health-check, each with its round-trip latency. */
public final class Readiness {
  private final HealthChecks checks;

  public Readiness(Vertx vertx, Pool pg, Redis redis, long timeoutMs) {
    this.checks =
        HealthChecks.create(vertx)
            .register(
                "postgres",
                timeoutMs,
                p -> probe(() -> pg.query("SELECT 1").execute(), timeoutMs, p))
            .register(
                "redis",
                timeoutMs,
                p -> probe(() -> redis.send(Request.cmd(Command.PING)), timeoutMs, p));
  }

  public Future<CheckResult> check() {
    return checks.checkStatus();
  }

  private static void probe(Supplier<Future<?>> call, long timeoutMs, Promise<Status> promise) {
    long start = System.nanoTime();
    Future<?> attempt;
    try {
      attempt = call.get();
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    attempt
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .onComplete(
            ar -> {
              double latencyMs = Math.round((System.nanoTime() - start) / 10_000.0) / 100.0;
              JsonObject data = new JsonObject().put("latency_ms", latencyMs);
              if (ar.succeeded()) {
                promise.tryComplete(Status.OK(data));
              } else {
                promise.tryComplete(Status.KO(data.put("error", "unreachable")));
              }
            });
  }
}
