package dev.bulwark.auth;

import dev.bulwark.config.RetentionConfig;
import dev.bulwark.core.FailureReporter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what auth keeps only for a while, every {@code retention.interval} (the first run a
 * minute after start, so frequent restarts do not starve it):
 *
 * <ul>
 *   <li>refresh tokens consumed more than {@code retention.refreshTokens} ago and expired (a token
 *       that could still have been valid stays, so presenting it again is still detected as reuse);
 *   <li>sessions ended (revoked or expired) more than {@code retention.sessions} ago, with their
 *       remaining tokens;
 *   <li>audit events older than {@code retention.auditEvents};
 *   <li>email verification and reset tokens expired more than {@code retention.emailTokens} ago.
 * </ul>
 *
 * Each statement deletes at most {@code retention.batchSize} rows, found by index and locked with
 * SKIP LOCKED, then the purge waits {@code retention.batchPause} before the next: short statements,
 * one pool connection, so requests are never held up behind it at any hour. Runs never overlap;
 * several processes purging at once share the work.
 */
public final class AuthRetention {
  private static final Logger log = LoggerFactory.getLogger(AuthRetention.class);

  /** A safety bound per kind and run; a backlog larger than this is finished by the next runs. */
  static final int MAX_BATCHES = 10_000;

  private static final long FIRST_RUN_MS = 60_000;

  static final String PURGE_REFRESH_TOKENS =
      """
      DELETE FROM refresh_tokens WHERE id IN (
        SELECT id FROM refresh_tokens
        WHERE consumed_at < now() - make_interval(secs => $1) AND expires_at < now()
        ORDER BY consumed_at LIMIT $2 FOR UPDATE SKIP LOCKED)""";
  static final String PURGE_SESSIONS =
      """
      DELETE FROM sessions WHERE id IN (
        SELECT id FROM sessions
        WHERE LEAST(revoked_at, expires_at) < now() - make_interval(secs => $1)
        ORDER BY LEAST(revoked_at, expires_at) LIMIT $2 FOR UPDATE SKIP LOCKED)""";
  static final String PURGE_AUDIT_EVENTS =
      """
      DELETE FROM audit_events WHERE id IN (
        SELECT id FROM audit_events
        WHERE occurred_at < now() - make_interval(secs => $1)
        ORDER BY occurred_at LIMIT $2 FOR UPDATE SKIP LOCKED)""";

  static final String PURGE_EMAIL_TOKENS =
      """
      DELETE FROM email_tokens WHERE token_hash IN (
        SELECT token_hash FROM email_tokens
        WHERE expires_at < now() - make_interval(secs => $1)
        ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)""";

  private final Vertx vertx;
  private final Pool pg;
  private final RetentionConfig config;
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile boolean stopped;
  private long timerId = -1;
  private final FailureReporter failures;

  /** What one run removed. */
  public record Purged(int refreshTokens, int sessions, int auditEvents) {
    static final Purged NOTHING = new Purged(0, 0, 0);
  }

  public AuthRetention(Vertx vertx, Pool pg, RetentionConfig config) {
    this(vertx, pg, config, FailureReporter.NONE);
  }

  /** As above, a failed run also reported to {@code failures}. */
  public AuthRetention(Vertx vertx, Pool pg, RetentionConfig config, FailureReporter failures) {
    this.failures = failures;
    this.vertx = vertx;
    this.pg = pg;
    this.config = config;
  }

  /** Starts the periodic purge; returns this, for {@link #stop}. */
  public AuthRetention start() {
    long every = config.interval().toMillis();
    timerId = vertx.setPeriodic(Math.min(every, FIRST_RUN_MS), every, id -> runOnce());
    return this;
  }

  /** No further run starts; a run in progress ends after its current statement. */
  public void stop() {
    stopped = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  /** One purge run; completes with what it removed (nothing, if a run is already in progress). */
  public Future<Purged> runOnce() {
    if (!running.compareAndSet(false, true)) {
      return Future.succeededFuture(Purged.NOTHING);
    }
    return purge(PURGE_REFRESH_TOKENS, config.refreshTokens())
        .compose(
            tokens ->
                purge(PURGE_SESSIONS, config.sessions())
                    .compose(
                        sessions ->
                            purge(PURGE_AUDIT_EVENTS, config.auditEvents())
                                .map(events -> new Purged(tokens, sessions, events))))
        .compose(
            p ->
                purge(PURGE_EMAIL_TOKENS, config.emailTokens())
                    .map(
                        n -> {
                          if (n > 0) {
                            log.info("retention: purged {} expired email token(s)", n);
                          }
                          return p;
                        }))
        .onSuccess(
            p -> {
              if (!p.equals(Purged.NOTHING)) {
                log.info(
                    "retention: purged {} refresh token(s), {} session(s), {} audit event(s)",
                    p.refreshTokens(),
                    p.sessions(),
                    p.auditEvents());
              }
            })
        .onFailure(
            err -> {
              log.warn("retention purge failed; retrying next period: {}", err.toString());
              failures.report(err, "retention", Map.of());
            })
        .eventually(
            () -> {
              running.set(false);
              return Future.succeededFuture();
            });
  }

  private Future<Integer> purge(String sql, Duration age) {
    return age.isZero() ? Future.succeededFuture(0) : drain(sql, age.toSeconds(), 0, 0);
  }

  /** Batches until one comes back short (or the bound, or a stop); the total deleted. */
  private Future<Integer> drain(String sql, long ageSeconds, int batches, int total) {
    int batch = config.batchSize();
    return pg.preparedQuery(sql)
        .execute(Tuple.of(ageSeconds, batch))
        .map(RowSet::rowCount)
        .compose(
            n -> {
              if (n < batch || batches + 1 >= MAX_BATCHES || stopped) {
                return Future.succeededFuture(total + n);
              }
              return pause().compose(v -> drain(sql, ageSeconds, batches + 1, total + n));
            });
  }

  private Future<Void> pause() {
    long ms = config.batchPause().toMillis();
    if (ms == 0) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    vertx.setTimer(ms, id -> done.complete());
    return done.future();
  }
}
