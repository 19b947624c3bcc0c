package dev.bulwark.tasks;

import dev.bulwark.config.TasksConfig;
import dev.bulwark.core.FailureReporter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once per process, every {@code tasks.purgeInterval}: deletes tombstones older than {@code
 * tasks.tombstoneRetention} and idempotency records older than {@code tasks.idempotencyTtl}, in
 * batches of {@code tasks.purgeBatchSize} (short statements, rows locked by another process
 * skipped), at most {@link #MAX_BATCHES} batches of each per run. Runs never overlap; several
 * processes purging at once only share the work.
 */
public final class TombstonePurger {
  private static final Logger log = LoggerFactory.getLogger(TombstonePurger.class);
  static final int MAX_BATCHES = 100;

  private final Vertx vertx;
  private final Pool pg;
  private final TasksConfig config;
  private final AtomicBoolean running = new AtomicBoolean();
  private long timerId = -1;
  private final FailureReporter failures;

  /** What one run removed. */
  public record Purged(int tombstones, int idempotencyRecords) {}

  public TombstonePurger(Vertx vertx, Pool pg, TasksConfig config) {
    this(vertx, pg, config, FailureReporter.NONE);
  }

  /** As above, a failed run also reported to {@code failures}. */
  public TombstonePurger(Vertx vertx, Pool pg, TasksConfig config, FailureReporter failures) {
    this.vertx = vertx;
    this.pg = pg;
    this.config = config;
    this.failures = failures;
  }

  /** Starts the periodic purge; returns this, for {@link #stop}. */
  public TombstonePurger start() {
    timerId = vertx.setPeriodic(config.purgeInterval().toMillis(), id -> runOnce());
    return this;
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** One purge run; completes with what it removed (nothing, if a run is already in progress). */
  public Future<Purged> runOnce() {
    if (!running.compareAndSet(false, true)) {
      return Future.succeededFuture(new Purged(0, 0));
    }
    long retention = config.tombstoneRetention().toSeconds();
    long ttl = config.idempotencyTtl().toSeconds();
    int batch = config.purgeBatchSize();
    return drain(() -> TaskRepository.purgeTombstones(pg, retention, batch), batch, 0, 0)
        .compose(
            tombstones ->
                drain(() -> IdempotencyRecords.purge(pg, ttl, batch), batch, 0, 0)
                    .map(records -> new Purged(tombstones, records)))
        .onSuccess(
            p -> {
              if (p.tombstones() > 0 || p.idempotencyRecords() > 0) {
                log.info(
                    "purged {} task tombstone(s) and {} idempotency record(s)",
                    p.tombstones(),
                    p.idempotencyRecords());
              }
            })
        .onFailure(
            err -> {
              log.warn("task purge failed; retrying next period: {}", err.toString());
              failures.report(err, "task_purge", Map.of());
            })
        .eventually(
            () -> {
              running.set(false);
              return Future.succeededFuture();
            });
  }

  /**
   * Runs {@code step} until a batch comes back short (or the bound is reached); the total deleted.
   */
  private static Future<Integer> drain(
      Supplier<Future<Integer>> step, int batch, int batches, int total) {
    return step.get()
        .compose(
            n ->
                n < batch || batches + 1 >= MAX_BATCHES
                    ? Future.succeededFuture(total + n)
                    : drain(step, batch, batches + 1, total + n));
  }
}
