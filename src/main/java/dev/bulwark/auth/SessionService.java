package dev.bulwark.auth;

import dev.bulwark.core.Failure;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.UUID;

/** Ending sessions — this one, all, or one by id — and listing them. */
public final class SessionService {
  private final Pool pg;
  private final Revocations revocations;
  private final StepUp stepUp;

  public SessionService(Pool pg, Revocations revocations, StepUp stepUp) {
    this.stepUp = stepUp;
    this.pg = pg;
    this.revocations = revocations;
  }

  /**
   * Ends this session: its refresh tokens die in PostgreSQL, its access tokens (this one first) in
   * Redis. The session ends in PostgreSQL or the logout fails; the Redis markers never fail it (see
   * {@link Revocations}).
   */
  public Future<Void> logout(Principal p, RequestInfo request) {
    return SessionRepository.revoke(pg, p.sessionId(), p.userId(), "logout")
        .compose(v -> revocations.revokeToken(p))
        .onSuccess(
            v ->
                AuditLog.recordAsync(
                    pg, new AuditLog.Event("logout", p.userId(), p.sessionId(), request)));
  }

  /**
   * Ends every session of the user, stamps "not before now" on their access tokens and marks each
   * session ended.
   */
  public Future<Void> logoutAll(Principal p, RequestInfo request) {
    return SessionRepository.revokeAll(pg, p.userId(), "logout_all")
        .compose(
            ended ->
                revocations
                    .revokeAll(p.userId(), Revocations.nextStamp(), ended)
                    .onSuccess(
                        v ->
                            AuditLog.recordAsync(
                                pg,
                                new AuditLog.Event("logout_all", p.userId(), p.sessionId(), request)
                                    .with("sessions_ended", ended.size()))));
  }

  public Future<List<SessionRepository.SessionView>> list(Principal p) {
    return SessionRepository.activeSessions(pg, p.userId());
  }

  /**
   * Ends one of the caller's sessions; someone else's (or an unknown) id is 404. With MFA, the
   * caller's session must be at level 2 (a stolen one-factor session cannot end the owner's).
   */
  public Future<Void> end(Principal p, UUID sessionId, RequestInfo request) {
    return stepUp
        .require(p)
        .compose(v -> SessionRepository.revoke(pg, sessionId, p.userId(), "revoked_by_user"))
        .compose(
            found ->
                found
                    ? revocations.revokeSession(p.userId(), sessionId)
                    : Future.failedFuture(Failure.notFound("No such session.")))
        .onSuccess(
            v ->
                AuditLog.recordAsync(
                    pg, new AuditLog.Event("session_revoked", p.userId(), sessionId, request)));
  }
}
