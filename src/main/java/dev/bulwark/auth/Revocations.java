package dev.bulwark.auth;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.core.Failure;
import dev.bulwark.ratelimit.PrincipalKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Immediate revocation of access tokens. PostgreSQL is the record ({@code sessions.revoked_at} and
 * {@code access_not_before}, written in the same statements that end sessions); Redis holds markers
 * that the gate reads in the request's one round trip, kept until the tokens would have expired
 * anyway. All keys of one user share its hash tag ({@link PrincipalKeys#user}):
 *
 * <ul>
 *   <li>{@code bw:{u:<id>}:nbf} — epoch seconds; tokens issued before it are revoked (logout-all,
 *       password change)
 *   <li>{@code bw:{u:<id>}:sid:<sid>} — the session ended; its tokens are revoked
 *   <li>{@code bw:{u:<id>}:jti:<jti>} — this token was logged out
 * </ul>
 *
 * A marker that cannot be written does not fail the request that ended the session: the revocation
 * stands in PostgreSQL. From then on — and whenever the gate could not reach Redis — the markers
 * are not trusted to be complete: each check also asks PostgreSQL, until the revocations of the
 * last access-token lifetime have been written back to Redis. One instance per process.
 */
public final class Revocations {
  private static final Logger log = LoggerFactory.getLogger(Revocations.class);
  private static final Failure REVOKED =
      Failure.unauthenticated("token_revoked", "The access token has been revoked; sign in again.");

  /**
   * At most this many revocations are written back per repair; more, and checks stay on PostgreSQL
   * a while longer.
   */
  private static final int MAX_REPAIR = 50_000;

  private static final int REPAIR_BATCH = 500;
  private static final long REPAIR_BACKOFF_MS = 1000;

  /**
   * After a repair found too many revocations to write back: they age out of the window meanwhile.
   */
  private static final long OVERFULL_BACKOFF_MS = 30_000;

  private final Redis redis;
  private final Pool pg;
  private final long timeoutMs;
  private final boolean clustered;
  private final long markerTtlSeconds;

  /**
   * Counts the occasions the markers may have missed a write; a repair only completes the
   * generation it began in. A new process starts one generation behind: the process before it may
   * have owed markers when it stopped.
   */
  private final AtomicLong losses = new AtomicLong(1);

  private volatile long repairedUpTo;
  private volatile long nextRepairAtMs;
  private final AtomicReference<Future<Void>> repairing = new AtomicReference<>();

  public Revocations(Redis redis, Pool pg, BulwarkConfig config) {
    this.redis = redis;
    this.pg = pg;
    this.timeoutMs = config.redis().commandTimeout().toMillis();
    this.clustered = config.redis().clustered();
    this.markerTtlSeconds =
        config.jwt().accessTokenTtl().toSeconds() + config.jwt().leeway().toSeconds() + 1;
  }

  /** The three marker keys of an access token: not-before, session, token — in that order. */
  static List<String> keys(Principal p) {
    String user = p.userId().toString();
    return List.of(
        PrincipalKeys.user(user, "nbf"),
        PrincipalKeys.user(user, "sid:" + p.sessionId()),
        PrincipalKeys.user(user, "jti:" + p.jti()));
  }

  /**
   * The verdict on the values of {@link #keys}: fails with 401 {@code token_revoked}, or stands.
   */
  Future<Void> verdict(Principal p, List<String> values) {
    if (isRevoked(p, values.get(0), values.get(1), values.get(2))) {
      return Future.failedFuture(REVOKED);
    }
    if (markersComplete()) {
      return Future.succeededFuture();
    }
    repair();
    return verdictFromRecord(p);
  }

  /**
   * The verdict while Redis cannot answer: from PostgreSQL, and the markers are no longer trusted
   * to be complete.
   */
  Future<Void> verdictWithoutRedis(Principal p) {
    markersLost();
    return verdictFromRecord(p);
  }

  private Future<Void> verdictFromRecord(Principal p) {
    return RevocationRepository.isAccessRevoked(pg, p.sessionId(), p.userId(), p.issuedAt())
        .compose(revoked -> revoked ? Future.failedFuture(REVOKED) : Future.succeededFuture());
  }

  private static boolean isRevoked(Principal p, String nbf, String sid, String jti) {
    if (sid != null || jti != null) {
      return true;
    }
    if (nbf != null) {
      try {
        return p.issuedAt() < Long.parseLong(nbf);
      } catch (NumberFormatException e) {
        return true;
      }
    }
    return false;
  }

  /**
   * The not-before stamp for tokens issued up to now: the next second, so tokens of this second are
   * covered too.
   */
  public static long nextStamp() {
    return AccessTokens.nowSeconds() + 1;
  }

  /**
   * Logout: this one token stops working at once (its session is ended in PostgreSQL by the
   * caller).
   */
  public Future<Void> revokeToken(Principal p) {
    long ttl = Math.max(1, p.expiresAt() - AccessTokens.nowSeconds() + markerTtlSeconds);
    return write(
        List.of(
            set(PrincipalKeys.user(p.userId().toString(), "jti:" + p.jti()), "1", ttl),
            sessionMarker(p.userId(), p.sessionId())));
  }

  /** Session end: every access token of that session stops working at once. */
  public Future<Void> revokeSession(UUID userId, UUID sessionId) {
    return write(List.of(sessionMarker(userId, sessionId)));
  }

  /**
   * Logout-all / password change: every access token issued before {@code stamp} stops working, and
   * so does every token of each session ended — one issued by a refresh that raced the change
   * included, whatever its {@code iat}.
   */
  public Future<Void> revokeAll(UUID userId, long stamp, List<UUID> endedSessions) {
    List<Request> writes = new ArrayList<>(endedSessions.size() + 1);
    writes.add(
        set(PrincipalKeys.user(userId.toString(), "nbf"), Long.toString(stamp), markerTtlSeconds));
    for (UUID sid : endedSessions) {
      writes.add(sessionMarker(userId, sid));
    }
    return write(writes);
  }

  /**
   * The earliest {@code iat} a new token of this user may carry: now, or the not-before stamp if
   * later.
   */
  public Future<Long> issueTime(UUID userId) {
    long now = AccessTokens.nowSeconds();
    return redis
        .send(Request.cmd(Command.GET).arg(PrincipalKeys.user(userId.toString(), "nbf")))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(r -> r == null ? now : Math.max(now, Long.parseLong(r.toString())))
        .otherwise(now);
  }

  private Request sessionMarker(UUID userId, UUID sessionId) {
    return set(PrincipalKeys.user(userId.toString(), "sid:" + sessionId), "1", markerTtlSeconds);
  }

  private static Request set(String key, String value, long ttlSeconds) {
    return Request.cmd(Command.SET).arg(key).arg(value).arg("EX").arg(ttlSeconds);
  }

  /**
   * Writes markers in one pipelined batch; never fails: a marker Redis did not take is owed, and
   * PostgreSQL answers.
   */
  private Future<Void> write(List<Request> markers) {
    return batches(markers)
        .otherwise(
            err -> {
              log.warn(
                  "revocation markers not written to Redis ({}); checks read PostgreSQL until they are repaired",
                  err.toString());
              markersLost();
              return null;
            });
  }

  /**
   * {@code writes} in one pipelined batch; on Redis Cluster, where a batch must stay on one slot,
   * one batch per user (each user's keys share a hash tag), all sent at once.
   */
  private Future<Void> batches(List<Request> writes) {
    if (!clustered) {
      return redis.batch(writes).timeout(timeoutMs, TimeUnit.MILLISECONDS).mapEmpty();
    }
    Map<String, List<Request>> byTag = new LinkedHashMap<>();
    for (Request w : writes) {
      String key = w.toString();
      int open = key.indexOf('{');
      String tag = open < 0 ? key : key.substring(open, key.indexOf('}', open) + 1);
      byTag.computeIfAbsent(tag, t -> new ArrayList<>()).add(w);
    }
    List<Future<List<Response>>> sent = new ArrayList<>(byTag.size());
    byTag
        .values()
        .forEach(batch -> sent.add(redis.batch(batch).timeout(timeoutMs, TimeUnit.MILLISECONDS)));
    return Future.all(sent).mapEmpty();
  }

  private boolean markersComplete() {
    return repairedUpTo == losses.get();
  }

  private void markersLost() {
    losses.incrementAndGet();
  }

  /**
   * At start-up: writes back what a previous process may have owed; never fails (checks read
   * PostgreSQL until done).
   */
  public Future<Void> repairAtStart() {
    repair();
    Future<Void> running = repairing.get();
    return running == null ? Future.succeededFuture() : running;
  }

  /**
   * Writes back to Redis every revocation PostgreSQL holds from the last access-token lifetime
   * (older ones concern only expired tokens), once at a time; the markers are trusted again only if
   * nothing was lost meanwhile.
   */
  private void repair() {
    Future<Void> running = repairing.get();
    if ((running != null && !running.isComplete()) || System.currentTimeMillis() < nextRepairAtMs) {
      return;
    }
    Promise<Void> promise = Promise.promise();
    if (!repairing.compareAndSet(running, promise.future())) {
      return;
    }
    long generation = losses.get();
    long now = AccessTokens.nowSeconds();
    RevocationRepository.recent(pg, markerTtlSeconds, now - markerTtlSeconds, MAX_REPAIR + 1)
        .compose(
            recent -> {
              if (recent.size() > MAX_REPAIR) {
                nextRepairAtMs = System.currentTimeMillis() + OVERFULL_BACKOFF_MS;
                return Future.failedFuture(
                    new IllegalStateException("more than " + MAX_REPAIR + " recent revocations"));
              }
              return writeBack(recent, 0).map(recent.size());
            })
        .onSuccess(
            count -> {
              if (losses.get() == generation) {
                repairedUpTo = generation;
                log.info(
                    "revocation markers repaired in Redis ({} session(s)); checks are back on Redis alone",
                    count);
              }
            })
        .onFailure(
            err -> {
              nextRepairAtMs =
                  Math.max(nextRepairAtMs, System.currentTimeMillis() + REPAIR_BACKOFF_MS);
              log.warn(
                  "revocation markers not repaired yet ({}); checks still read PostgreSQL",
                  err.toString());
            })
        .<Void>mapEmpty()
        .otherwiseEmpty()
        .onComplete(promise);
  }

  private Future<Void> writeBack(List<RevocationRepository.Revoked> recent, int from) {
    if (from >= recent.size()) {
      return Future.succeededFuture();
    }
    int to = Math.min(recent.size(), from + REPAIR_BATCH);
    List<Request> writes = new ArrayList<>(to - from);
    Map<UUID, Long> notBefore = new HashMap<>();
    for (RevocationRepository.Revoked r : recent.subList(from, to)) {
      if (r.ended()) {
        writes.add(sessionMarker(r.userId(), r.sessionId()));
      }
      if (r.accessNotBefore() != null) {
        notBefore.merge(r.userId(), r.accessNotBefore(), Math::max);
      }
    }
    // a later stamp may already be in Redis; the sessions it ended are written back as session
    // markers above
    notBefore.forEach(
        (user, stamp) ->
            writes.add(
                set(
                    PrincipalKeys.user(user.toString(), "nbf"),
                    Long.toString(stamp),
                    markerTtlSeconds)));
    if (writes.isEmpty()) {
      return writeBack(recent, to);
    }
    return batches(writes).compose(v -> writeBack(recent, to));
  }
}
