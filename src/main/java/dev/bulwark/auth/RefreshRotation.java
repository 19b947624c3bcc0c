package dev.bulwark.auth;

import dev.bulwark.auth.SessionRepository.Family;
import dev.bulwark.auth.SessionRepository.PresentedToken;
import dev.bulwark.infra.Metrics;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Refresh-token rotation, in one transaction with the token's family locked (so concurrent
 * refreshes of a family are serialised and at most one live child ever exists):
 *
 * <ul>
 *   <li>an unused token is consumed and a child issued — {@link Rotated};
 *   <li>the immediate parent of the live token, again within the grace window (a lost response, a
 *       parallel refresh), gets that same live child back — {@link Replayed}; the family lives;
 *   <li>anything older, or the parent after the window, revokes the family — {@link Reused};
 *   <li>unknown, expired or revoked tokens, and sessions past their maximum age — {@link Refused}.
 * </ul>
 *
 * Rotation renews the idle expiry but never extends a session past {@link SessionLifetime#maxAge}
 * from its start. A failed transaction (a transient database error) rolls back, leaving the
 * presented token usable.
 */
public final class RefreshRotation {
  private final Pool pg;
  private final RefreshTokens tokens;
  private final SessionLifetime lifetime;
  private final long graceSeconds;
  private final Clock clock;

  /** What a refresh attempt came to. */
  public sealed interface Outcome permits Rotated, Replayed, Reused, Refused {}

  /**
   * {@code refreshExpiresIn}: seconds the new refresh token lives (idle, or less near the session's
   * maximum age).
   */
  public record Rotated(
      UUID userId, UUID sessionId, String refreshToken, long refreshExpiresIn, Assurance assurance)
      implements Outcome {}

  public record Replayed(
      UUID userId, UUID sessionId, String refreshToken, long refreshExpiresIn, Assurance assurance)
      implements Outcome {}

  public record Reused(UUID userId, UUID sessionId) implements Outcome {}

  public record Refused(String code) implements Outcome {}

  /**
   * {@code clock} decides session lifetimes (tests move it); the grace window is the database's
   * clock.
   */
  public RefreshRotation(
      Pool pg, RefreshTokens tokens, SessionLifetime lifetime, long graceSeconds, Clock clock) {
    this.pg = pg;
    this.tokens = tokens;
    this.lifetime = lifetime;
    this.graceSeconds = graceSeconds;
    this.clock = clock;
  }

  public Future<Outcome> rotate(String presented, RequestInfo request) {
    byte[] hash = RefreshTokens.hash(presented);
    Instant now = SessionLifetime.now(clock);
    return pg.withTransaction(
            conn ->
                SessionRepository.lockFamily(conn, hash, now, lifetime)
                    .compose(
                        family -> {
                          if (family == null) {
                            return Future.succeededFuture(new Refused("invalid_refresh_token"));
                          }
                          if (family.revoked()) {
                            return Future.succeededFuture(new Refused("session_revoked"));
                          }
                          if (family.ended()) {
                            return Future.succeededFuture(new Refused("session_expired"));
                          }
                          if (family.expired()) {
                            return Future.succeededFuture(new Refused("refresh_token_expired"));
                          }
                          return SessionRepository.presentedToken(conn, hash, graceSeconds, now)
                              .compose(token -> decide(conn, family, token, hash, request, now));
                        }))
        .onSuccess(RefreshRotation::count);
  }

  /** Counted once the transaction has committed: what happened, not what was attempted. */
  private static void count(Outcome outcome) {
    if (outcome instanceof Rotated) {
      Metrics.count(Metrics.Event.REFRESH_ROTATED);
    } else if (outcome instanceof Replayed) {
      Metrics.count(Metrics.Event.REFRESH_REPLAYED);
    } else if (outcome instanceof Reused) {
      Metrics.count(Metrics.Event.REFRESH_REUSE_DETECTED);
    }
  }

  private Future<Outcome> decide(
      SqlConnection conn,
      Family family,
      PresentedToken token,
      byte[] hash,
      RequestInfo request,
      Instant now) {
    if (!token.consumed()) {
      if (token.expired()) {
        return Future.succeededFuture(new Refused("refresh_token_expired"));
      }
      return issueChild(conn, family, token, hash, request, now);
    }
    if (Boolean.TRUE.equals(token.childActive())
        && token.withinGrace()
        && token.sealedChild() != null) {
      String child = tokens.unseal(token.sealedChild(), hash);
      if (child != null) {
        return SessionRepository.touchSession(conn, family.sessionId(), request.ip(), now, lifetime)
            .map(
                v ->
                    new Replayed(
                        family.userId(),
                        family.sessionId(),
                        child,
                        SessionLifetime.secondsUntil(token.childExpiresAt(), now),
                        family.assurance()));
      }
    }
    return SessionRepository.revoke(
            conn, family.sessionId(), family.userId(), "refresh_token_reused")
        .compose(
            v ->
                AuditLog.record(
                    conn,
                    new AuditLog.Event(
                            "refresh_token_reused", family.userId(), family.sessionId(), request)
                        .with("token_id", token.id().toString())))
        .map(v -> new Reused(family.userId(), family.sessionId()));
  }

  private Future<Outcome> issueChild(
      SqlConnection conn,
      Family family,
      PresentedToken token,
      byte[] hash,
      RequestInfo request,
      Instant now) {
    String child = tokens.generate();
    // with no grace window nothing would ever open the seal: do not keep one
    return SessionRepository.consume(
            conn, token.id(), graceSeconds > 0 ? tokens.seal(child, hash) : null)
        .compose(
            consumed -> {
              if (!consumed) {
                // cannot happen while the family lock is held; fail the transaction rather than
                // fork the family
                return Future.failedFuture(
                    new IllegalStateException("refresh token consumed concurrently"));
              }
              return SessionRepository.insertToken(
                  conn, family.sessionId(), RefreshTokens.hash(child), token.id(), now, lifetime);
            })
        .compose(
            expiresAt ->
                SessionRepository.touchSession(
                        conn, family.sessionId(), request.ip(), now, lifetime)
                    .map(
                        v ->
                            new Rotated(
                                family.userId(),
                                family.sessionId(),
                                child,
                                SessionLifetime.secondsUntil(expiresAt, now),
                                family.assurance())));
  }
}
