package dev.bulwark.admin;

import dev.bulwark.admin.AdminRepository.Account;
import dev.bulwark.admin.AdminRepository.AuditEvent;
import dev.bulwark.auth.AccountService;
import dev.bulwark.auth.AuditLog;
import dev.bulwark.auth.PasswordHasher;
import dev.bulwark.auth.Principal;
import dev.bulwark.auth.RequestInfo;
import dev.bulwark.auth.RevocationRepository;
import dev.bulwark.auth.Revocations;
import dev.bulwark.auth.SessionRepository;
import dev.bulwark.auth.UserRepository;
import dev.bulwark.config.Roles;
import dev.bulwark.core.Failure;
import dev.bulwark.core.Role;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.UUID;

/**
 * What administrators do to accounts. Every change is committed with its audit event (the actor,
 * the target, the state before and after) in one transaction, and takes effect on the target's very
 * next request: its sessions' access tokens are revoked through the per-user not-before stamp the
 * gate already reads (no new per-request read), and PostgreSQL records the same stamp for when
 * Redis cannot answer. A role change keeps the sessions (the next refresh carries the new role); a
 * disable or a session kill ends them. No change may leave the deployment without an active
 * administrator (409 {@code last_admin}).
 */
final class AdminService {
  static final int RECENT_EVENTS = 20;
  private static final Failure NO_SUCH_USER = Failure.notFound("No such user.");

  private final Pool pg;
  private final PasswordHasher hasher;
  private final Revocations revocations;
  private final Roles roles;

  AdminService(Pool pg, PasswordHasher hasher, Revocations revocations, Roles roles) {
    this.pg = pg;
    this.hasher = hasher;
    this.revocations = revocations;
    this.roles = roles;
  }

  /** One account with its live sessions and most recent audit events. */
  record Detail(
      Account account, List<SessionRepository.SessionView> sessions, List<AuditEvent> events) {}

  /** A new account (the protected creation of staff). */
  record NewAccount(String email, String password, String displayName, String role) {}

  /** A change to an account: a configured role name and/or the disabled flag, null = unchanged. */
  record Change(String role, Boolean disabled) {}

  Future<List<Account>> listUsers(
      AdminRepository.UserFilter filter, AdminRepository.Account after, int limit) {
    return AdminRepository.listUsers(
        pg,
        filter,
        after == null ? null : after.createdAt(),
        after == null ? null : after.id(),
        limit);
  }

  Future<List<AuditEvent>> listAudit(AdminRepository.AuditFilter filter, Long beforeId, int limit) {
    return AdminRepository.listAudit(pg, filter, beforeId, limit);
  }

  Future<Detail> detail(UUID id) {
    return AdminRepository.user(pg, id)
        .compose(
            account ->
                account == null
                    ? Future.failedFuture(NO_SUCH_USER)
                    : SessionRepository.activeSessions(pg, id)
                        .compose(
                            sessions ->
                                AdminRepository.listAudit(
                                        pg,
                                        new AdminRepository.AuditFilter(id, null, null, null),
                                        null,
                                        RECENT_EVENTS)
                                    .map(events -> new Detail(account, sessions, events))));
  }

  /** 409 {@code email_taken} when the email has an account. */
  Future<Account> create(Principal actor, NewAccount n, RequestInfo request) {
    return hasher
        .hash(n.password())
        .compose(
            hash ->
                pg.withTransaction(
                    conn ->
                        UserRepository.insert(conn, n.email(), hash, n.displayName(), n.role())
                            .compose(
                                id ->
                                    id == null
                                        ? Future.failedFuture(
                                            Failure.conflict(
                                                "email_taken",
                                                "An account with this email already exists."))
                                        : AdminRepository.user(conn, id))
                            .compose(
                                account ->
                                    AuditLog.record(
                                            conn,
                                            event(
                                                    "admin_user_created",
                                                    actor,
                                                    account.id(),
                                                    request)
                                                .with("after", state(account)))
                                        .map(account))));
  }

  Future<Account> update(Principal actor, UUID id, Change change, RequestInfo request) {
    return pg.withTransaction(
            conn ->
                AdminRepository.lockUser(conn, id)
                    .compose(
                        before -> {
                          if (before == null) {
                            return Future.failedFuture(NO_SUCH_USER);
                          }
                          String role = change.role() == null ? before.role() : change.role();
                          boolean disabled =
                              change.disabled() == null ? before.disabled() : change.disabled();
                          return keepsAnAdmin(conn, before, role, disabled)
                              .compose(v -> AdminRepository.updateUser(conn, id, role, disabled))
                              .compose(after -> applied(conn, actor, before, after, request));
                        }))
        .compose(
            applied ->
                applied.revoke()
                    ? revocations
                        .revokeAll(applied.after().id(), applied.stamp(), applied.ended())
                        .map(applied.after())
                    : Future.succeededFuture(applied.after()));
  }

  /** Ends every session of the account now. */
  Future<Void> endSessions(Principal actor, UUID id, RequestInfo request) {
    long stamp = Revocations.nextStamp();
    return pg.withTransaction(
            conn ->
                AdminRepository.lockUser(conn, id)
                    .compose(
                        account ->
                            account == null
                                ? Future.failedFuture(NO_SUCH_USER)
                                : SessionRepository.revokeAll(conn, id, "ended_by_admin"))
                    .compose(
                        ended ->
                            AuditLog.record(
                                    conn,
                                    event("admin_sessions_ended", actor, id, request)
                                        .with("sessions_ended", ended.size()))
                                .map(ended)))
        .compose(ended -> revocations.revokeAll(id, stamp, ended));
  }

  /**
   * What a committed change leaves to do: the Redis markers, when it revoked anything (a change to
   * nothing, or a re-enable, revokes nothing).
   */
  private record Applied(Account after, boolean revoke, long stamp, List<UUID> ended) {}

  /**
   * Records the change and ends what it must: a disable ends every session; a role change stamps
   * the live sessions' access tokens (they refresh into the new role); nothing, if nothing changed.
   */
  private Future<Applied> applied(
      SqlConnection conn, Principal actor, Account before, Account after, RequestInfo request) {
    long stamp = Revocations.nextStamp();
    boolean disabledNow = after.disabled() && !before.disabled();
    boolean roleChanged = !after.role().equals(before.role());
    Future<List<UUID>> ended =
        disabledNow
            ? SessionRepository.revokeAll(conn, after.id(), "account_disabled")
            : roleChanged
                ? RevocationRepository.stampUserNotBefore(conn, after.id(), stamp)
                    .map(v -> List.<UUID>of())
                : Future.succeededFuture(List.of());
    return ended.compose(
        sessions ->
            AuditLog.record(
                    conn,
                    event("admin_user_updated", actor, after.id(), request)
                        .with("before", state(before))
                        .with("after", state(after)))
                .map(v -> new Applied(after, disabledNow || roleChanged, stamp, sessions)));
  }

  /**
   * Fails with 409 {@code last_admin} when the change would leave no active administrator; holds
   * the administrators' lock until the transaction ends, so two such changes cannot both pass.
   */
  private Future<Void> keepsAnAdmin(
      SqlConnection conn, Account before, String role, boolean disabled) {
    String admin = roles.name(Role.ADMIN);
    boolean wasActiveAdmin = before.role().equals(admin) && !before.disabled();
    boolean staysActiveAdmin = role.equals(admin) && !disabled;
    if (!wasActiveAdmin || staysActiveAdmin) {
      return Future.succeededFuture();
    }
    return UserRepository.lockAndCountActiveAdmins(conn, admin)
        .compose(
            count ->
                count <= 1
                    ? Future.failedFuture(AccountService.LAST_ADMIN)
                    : Future.succeededFuture());
  }

  private static AuditLog.Event event(
      String type, Principal actor, UUID target, RequestInfo request) {
    return new AuditLog.Event(type, target, null, request)
        .with("actor_id", actor.userId().toString())
        .with("actor_session_id", actor.sessionId().toString());
  }

  private static JsonObject state(Account a) {
    return new JsonObject().put("role", a.role()).put("disabled", a.disabled());
  }
}
