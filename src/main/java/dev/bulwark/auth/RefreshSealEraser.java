package dev.bulwark.auth;

import dev.bulwark.core.FailureReporter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once per process, every grace window (at least a second): erases the sealed children of refresh
 * tokens consumed longer ago than {@code auth.refreshReuseGrace}. A seal exists only so that a
 * retry within the window gets the same child; past the window it answers nothing, and on a
 * family's newest row it is the live token in a form the server can decrypt. So no seal outlives
 * its window by more than one more window. Runs never overlap; several processes erasing at once
 * only share the work (one indexed UPDATE).
 */
public final class RefreshSealEraser {
  private static final Logger log = LoggerFactory.getLogger(RefreshSealEraser.class);

  private final Vertx vertx;
  private final Pool pg;
  private final long graceSeconds;
  private final long periodMs;
  private final AtomicBoolean running = new AtomicBoolean();
  private long timerId = -1;
  private final FailureReporter failures;

  public RefreshSealEraser(Vertx vertx, Pool pg, Duration grace) {
    this(vertx, pg, grace, FailureReporter.NONE);
  }

  /** As above, a failed run also reported to {@code failures}. */
  public RefreshSealEraser(Vertx vertx, Pool pg, Duration grace, FailureReporter failures) {
    this.failures = failures;
    this.vertx = vertx;
    this.pg = pg;
    this.graceSeconds = grace.toSeconds();
    this.periodMs = Math.max(1000, grace.toMillis());
  }

  /** Starts the periodic erasure; returns this, for {@link #stop}. */
  public RefreshSealEraser start() {
    timerId = vertx.setPeriodic(periodMs, id -> runOnce());
    return this;
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** One run; completes with the number of seals erased (0 if a run is already in progress). */
  public Future<Integer> runOnce() {
    if (!running.compareAndSet(false, true)) {
      return Future.succeededFuture(0);
    }
    return SessionRepository.eraseSeals(pg, graceSeconds)
        .onFailure(
            err -> {
              log.warn(
                  "erasing sealed refresh tokens failed; retrying next period: {}", err.toString());
              failures.report(err, "refresh_seal_eraser", Map.of());
            })
        .eventually(
            () -> {
              running.set(false);
              return Future.succeededFuture();
            });
  }
}
