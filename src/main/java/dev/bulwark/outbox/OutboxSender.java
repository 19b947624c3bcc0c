package dev.bulwark.outbox;

import dev.bulwark.config.OutboxConfig;
import dev.bulwark.core.FailureReporter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox: every {@code outbox.pollInterval} it claims up to {@code outbox.batchSize}
 * due messages (safe with any number of senders: see {@link OutboxRepository}), hands each to the
 * {@link Delivery} of its kind, all at once, and settles each — sent; due again after an
 * exponential backoff with jitter; or, after {@code outbox.maxAttempts} or a permanent failure,
 * expired with an audit event. A full batch is followed at once by the next, so a backlog drains at
 * the speed of the deliveries. No request ever waits on any of this.
 */
public final class OutboxSender extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger("bulwark.outbox");
  private static final int STALE_BATCH = 500;
  private static final int PURGE_BATCH = 1000;
  private static final int MAX_PURGE_BATCHES = 1000;
  private static final long PURGE_FIRST_MS = 60_000;

  private final Pool pg;
  private final OutboxConfig config;
  private final Deliveries deliveries;
  private final FailureReporter failures;
  private Map<String, Delivery> byKind;
  private long timer = -1;
  private long purgeTimer = -1;
  private boolean polling;
  private boolean stopped;

  /** Builds the deliveries of each kind, on the sender's own context. */
  @FunctionalInterface
  public interface Deliveries {
    Map<String, Delivery> create(io.vertx.core.Vertx vertx);
  }

  public OutboxSender(Pool pg, OutboxConfig config, Deliveries deliveries) {
    this(pg, config, deliveries, FailureReporter.NONE);
  }

  /** As above, a failed poll or purge also reported to {@code failures}. */
  public OutboxSender(
      Pool pg, OutboxConfig config, Deliveries deliveries, FailureReporter failures) {
    this.failures = failures;
    this.pg = pg;
    this.config = config;
    this.deliveries = deliveries;
  }

  @Override
  public Future<?> start() {
    byKind = deliveries.create(vertx);
    timer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> poll());
    if (!config.retention().isZero()) {
      long every = Math.min(config.retention().toMillis(), 3_600_000L);
      purgeTimer =
          vertx.setPeriodic(Math.min(every, PURGE_FIRST_MS), every, id -> purgeSettled(0, 0));
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    if (purgeTimer != -1) {
      vertx.cancelTimer(purgeTimer);
    }
    return Future.succeededFuture();
  }

  private void poll() {
    if (polling || stopped) {
      return;
    }
    polling = true;
    pg.withTransaction(
            conn -> OutboxRepository.expireStale(conn, config.maxAge().toSeconds(), STALE_BATCH))
        .onSuccess(
            kinds -> {
              if (!kinds.isEmpty()) {
                log.warn(
                    "outbox: {} message(s) expired unsent after {}", kinds.size(), config.maxAge());
                kinds.forEach(kind -> OutboxMetrics.count(kind, OutboxMetrics.Outcome.EXPIRED));
              }
            })
        .transform(ignored -> drain())
        .transform(ignored -> OutboxRepository.oldestUnsentAgeSeconds(pg))
        .onSuccess(OutboxMetrics::oldestUnsent)
        .onFailure(
            err -> {
              log.warn("outbox poll failed: {}", err.toString());
              failures.report(err, "outbox", Map.of());
            })
        .onComplete(ar -> polling = false);
  }

  /** Settled messages past {@code outbox.retention}, batch after batch while batches are full. */
  private void purgeSettled(int batches, int total) {
    if (stopped) {
      return;
    }
    OutboxRepository.purgeSettled(pg, config.retention().toSeconds(), PURGE_BATCH)
        .onSuccess(
            n -> {
              if (n == PURGE_BATCH && batches + 1 < MAX_PURGE_BATCHES) {
                purgeSettled(batches + 1, total + n);
              } else if (total + n > 0) {
                log.info("outbox: purged {} settled message(s)", total + n);
              }
            })
        .onFailure(
            err -> {
              log.warn("outbox purge failed: {}", err.toString());
              failures.report(err, "outbox_purge", Map.of());
            });
  }

  /** Batch after batch while batches come back full. */
  private Future<Void> drain() {
    if (stopped) {
      return Future.succeededFuture();
    }
    return OutboxRepository.claim(pg, config.batchSize(), config.lease().toMillis() / 1000.0)
        .compose(
            batch -> {
              List<Future<Void>> settled = new ArrayList<>(batch.size());
              for (OutboundMessage m : batch) {
                settled.add(deliver(m));
              }
              Future<Void> all = Future.join(settled).mapEmpty();
              return batch.size() < config.batchSize() ? all : all.transform(ignored -> drain());
            });
  }

  private Future<Void> deliver(OutboundMessage m) {
    Delivery delivery = byKind.get(m.kind());
    if (delivery == null) {
      return giveUp(m, "no delivery for kind " + m.kind());
    }
    Promise<Void> settled = Promise.promise();
    Future<Void> attempt;
    try {
      attempt = delivery.deliver(m);
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    attempt
        .timeout(config.sendTimeout().toMillis() * 2, java.util.concurrent.TimeUnit.MILLISECONDS)
        .compose(
            v -> {
              OutboxMetrics.count(m.kind(), OutboxMetrics.Outcome.SENT);
              return OutboxRepository.sent(pg, m.id());
            },
            err -> {
              OutboxMetrics.count(m.kind(), OutboxMetrics.Outcome.FAILED);
              String reason = DeliveryFailure.reasonOf(err);
              boolean permanent = err instanceof DeliveryFailure f && f.isPermanent();
              if (permanent || m.attempts() >= config.maxAttempts()) {
                return giveUp(m, reason);
              }
              double delay = backoffSeconds(m.attempts());
              log.info(
                  "outbox: {} message {} attempt {} failed ({}); next in {} s",
                  m.kind(),
                  m.id(),
                  m.attempts(),
                  reason,
                  Math.round(delay));
              return OutboxRepository.retry(pg, m.id(), delay, reason);
            })
        .onComplete(
            ar -> {
              if (ar.failed()) {
                // the lease runs out and the message comes due again
                log.warn("outbox: settling message {} failed: {}", m.id(), ar.cause().toString());
              }
              settled.complete();
            });
    return settled.future();
  }

  private Future<Void> giveUp(OutboundMessage m, String reason) {
    OutboxMetrics.count(m.kind(), OutboxMetrics.Outcome.EXPIRED);
    log.warn(
        "outbox: {} message {} given up after {} attempt(s): {}",
        m.kind(),
        m.id(),
        m.attempts(),
        reason);
    return pg.withTransaction(conn -> OutboxRepository.expire(conn, m, reason)).mapEmpty();
  }

  /**
   * base × 2^(attempt−1), at most {@code maxBackoff}, less up to a fifth at random so retries of a
   * burst spread out.
   */
  double backoffSeconds(int attempt) {
    double base = config.baseBackoff().toMillis() / 1000.0;
    double max = config.maxBackoff().toMillis() / 1000.0;
    double delay = Math.min(max, base * Math.pow(2, Math.min(attempt - 1, 30)));
    return delay * (1 - 0.2 * ThreadLocalRandom.current().nextDouble());
  }
}
