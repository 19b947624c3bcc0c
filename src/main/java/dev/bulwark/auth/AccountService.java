package dev.bulwark.auth;

import dev.bulwark.config.Roles;
import dev.bulwark.core.Failure;
import dev.bulwark.core.Role;
import dev.bulwark.infra.Metrics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.UUID;

/** Signup, login, refresh, profile, password change and account deletion. */
public final class AccountService {
  private static final Failure INVALID_CREDENTIALS =
      Failure.unauthenticated("invalid_credentials", "The email or password is incorrect.");
  static final Failure ACCOUNT_DISABLED =
      Failure.forbidden("account_disabled", "This account has been disabled by an administrator.");
  public static final Failure LAST_ADMIN =
      Failure.conflict(
          "last_admin", "This is the last active administrator: promote another account first.");

  private final Pool pg;
  private final PasswordHasher hasher;
  private final TokenIssuer issuer;
  private final RefreshRotation rotation;
  private final LoginThrottle throttle;
  private final DeviceTokens devices;
  private final Revocations revocations;
  private final Roles roles;
  private final EmailFlows emails;
  private final MfaChallenges challenges;
  private final StepUp stepUp;
  private final java.util.Set<Role> mfaRequiredFor;

  public AccountService(
      Pool pg,
      PasswordHasher hasher,
      TokenIssuer issuer,
      RefreshRotation rotation,
      LoginThrottle throttle,
      DeviceTokens devices,
      Revocations revocations,
      Roles roles,
      EmailFlows emails,
      MfaChallenges challenges,
      StepUp stepUp,
      java.util.Set<Role> mfaRequiredFor) {
    this.roles = roles;
    this.challenges = challenges;
    this.stepUp = stepUp;
    this.mfaRequiredFor = mfaRequiredFor;
    this.pg = pg;
    this.hasher = hasher;
    this.issuer = issuer;
    this.rotation = rotation;
    this.throttle = throttle;
    this.devices = devices;
    this.revocations = revocations;
    this.emails = emails;
  }

  public record Signup(String email, String password, String displayName, String deviceName) {}

  /** {@code deviceToken}: what an earlier signup or login answered this device, or null. */
  public record Login(String email, String password, String deviceName, String deviceToken) {}

  /**
   * Creates the account and its first session atomically: 409 {@code email_taken} leaves nothing
   * behind.
   */
  public Future<TokenPair> signup(Signup s, RequestInfo request) {
    return hasher
        .hash(s.password())
        .compose(
            hash ->
                pg.withTransaction(
                    conn ->
                        UserRepository.insert(
                                conn, s.email(), hash, s.displayName(), roles.name(Role.USER))
                            .compose(
                                userId -> {
                                  if (userId == null) {
                                    return Future.failedFuture(
                                        Failure.conflict(
                                            "email_taken",
                                            "An account with this email already exists."));
                                  }
                                  return emails
                                      .queueVerification(conn, userId, s.email())
                                      .compose(
                                          v ->
                                              issuer.startSession(
                                                  conn, userId, s.deviceName(), request));
                                })
                            .compose(
                                session ->
                                    AuditLog.record(
                                            conn,
                                            new AuditLog.Event(
                                                "signup",
                                                session.userId(),
                                                session.sessionId(),
                                                request))
                                        .map(session))))
        .map(
            session ->
                issuer
                    .pairAt(
                        session.userId(),
                        session.sessionId(),
                        Role.USER,
                        session.refreshToken(),
                        AccessTokens.nowSeconds(),
                        session.refreshExpiresIn())
                    .withDeviceToken(devices.issue(session.userId())));
  }

  /** Whether signup waits for the address to be proven ({@code auth.signupMode: verify-first}). */
  public boolean verifyFirst() {
    return emails.verifyFirst();
  }

  /**
   * Verify-first signup: the same answer, and the same bcrypt work, whether or not the address has
   * an account. A new account gets its verification email and no session; the owner of an existing
   * one is told someone tried.
   */
  public Future<Void> signupVerifyFirst(Signup s, RequestInfo request) {
    return hasher
        .hash(s.password())
        .compose(
            hash ->
                pg.withTransaction(
                    conn ->
                        UserRepository.insert(
                                conn, s.email(), hash, s.displayName(), roles.name(Role.USER))
                            .compose(
                                userId ->
                                    userId == null
                                        ? emails.queueSignupAttempt(conn, s.email())
                                        : emails
                                            .queueVerification(conn, userId, s.email())
                                            .compose(
                                                v ->
                                                    AuditLog.record(
                                                        conn,
                                                        new AuditLog.Event(
                                                            "signup", userId, null, request))))));
  }

  /**
   * Unknown emails cost the same bcrypt work as known ones and get the same answer. The brake is
   * checked before any bcrypt work is spent, per address and account — or, for a device presenting
   * a valid device token of this account, per device only (see {@link LoginThrottle}): strangers
   * cannot lock the owner's devices out.
   */
  public Future<SignInAnswer> login(Login l, RequestInfo request) {
    return hasher
        .admission()
        .compose(v -> UserRepository.credentials(pg, l.email()))
        .compose(
            user -> {
              String device = user == null ? null : devices.deviceOf(l.deviceToken(), user.id());
              return throttle
                  .check(new LoginThrottle.Attempt(l.email(), request.ip(), device))
                  .compose(
                      attempt ->
                          hasher
                              .verifyAndUpgrade(
                                  l.password(),
                                  user == null ? hasher.decoyHash() : user.passwordHash())
                              .compose(
                                  v ->
                                      v.matches() && user != null
                                          ? succeed(user, v.upgradedHash(), attempt, l, request)
                                          : fail(
                                              user == null ? null : user.id(), attempt, request)));
            });
  }

  /**
   * A stale hash (legacy format, or another bcrypt cost) is replaced in the login's transaction,
   * unless it changed meanwhile.
   */
  private Future<SignInAnswer> succeed(
      UserRepository.Credentials user,
      String upgradedHash,
      LoginThrottle.Attempt attempt,
      Login l,
      RequestInfo request) {
    UUID userId = user.id();
    if (emails.verifyFirst()) {
      return UserRepository.emailVerified(pg, userId)
          .compose(
              verified ->
                  verified
                      ? startLogin(user, upgradedHash, attempt, l, request)
                      : Future.failedFuture(
                          Failure.forbidden(
                              "email_not_verified",
                              "Confirm your email address first: open the link we sent you.")));
    }
    return startLogin(user, upgradedHash, attempt, l, request);
  }

  private Future<SignInAnswer> startLogin(
      UserRepository.Credentials user,
      String upgradedHash,
      LoginThrottle.Attempt attempt,
      Login l,
      RequestInfo request) {
    UUID userId = user.id();
    throttle.reset(attempt);
    if (user.disabled()) {
      // answered only now that the password checked out: a guesser learns nothing from it
      return AuditLog.record(pg, new AuditLog.Event("login_disabled", userId, null, request))
          .transform(audited -> Future.failedFuture(ACCOUNT_DISABLED));
    }
    Role role = level(user.role());
    if (user.mfa()) {
      return secondStep(user, upgradedHash, l, request);
    }
    // a role that must use MFA, signed in without a factor: a session that can only enrol one
    Assurance assurance =
        mfaRequiredFor.contains(role) ? Assurance.ENROLMENT_ONLY : Assurance.PASSWORD;
    Metrics.count(Metrics.Event.LOGIN_SUCCEEDED);
    return pg.withTransaction(
            conn ->
                issuer
                    .startSession(conn, userId, l.deviceName(), request, assurance)
                    .compose(
                        session ->
                            upgradedHash == null
                                ? Future.succeededFuture(session)
                                : UserRepository.replaceHash(
                                        conn, userId, user.passwordHash(), upgradedHash)
                                    .map(session))
                    .compose(
                        session ->
                            AuditLog.record(
                                    conn,
                                    new AuditLog.Event(
                                            "login_success", userId, session.sessionId(), request)
                                        .with("known_device", attempt.device() != null))
                                .map(session)))
        .compose(
            session -> {
              issuer.revokeEnded(session);
              return issuer.pair(
                  userId,
                  session.sessionId(),
                  role,
                  session.refreshToken(),
                  session.refreshExpiresIn(),
                  assurance);
            })
        .map(pair -> pair.withDeviceToken(devices.issue(userId)));
  }

  /**
   * The password of an account with a second factor checked out: no session yet, an {@code
   * mfa_token} for {@code POST /auth/mfa/verify} (and the stale hash replaced as for any login).
   */
  private Future<SignInAnswer> secondStep(
      UserRepository.Credentials user, String upgradedHash, Login l, RequestInfo request) {
    UUID userId = user.id();
    return pg.withTransaction(
        conn ->
            (upgradedHash == null
                    ? Future.<Void>succeededFuture()
                    : UserRepository.replaceHash(conn, userId, user.passwordHash(), upgradedHash)
                        .<Void>mapEmpty())
                .compose(v -> challenges.start(conn, userId, l.deviceName(), "pwd"))
                .compose(
                    challenge ->
                        AuditLog.record(
                                conn,
                                new AuditLog.Event("login_mfa_challenge", userId, null, request))
                            .map(challenge)));
  }

  /**
   * Proves the password of a signed-in caller again (MFA removal, recovery codes): a wrong one
   * counts against this session's brake, like a wrong current password.
   */
  public Future<Void> reauthenticate(
      Principal p, String password, RequestInfo request, String auditEvent) {
    return reauthenticate(p, password, request, "password", auditEvent);
  }

  /**
   * As above, the password sent as {@code field}: the hasher's admission, the account re-read, this
   * session's brake checked, then the hash verified; a wrong password is 401 on {@code field} and
   * {@code auditEvent}.
   */
  private Future<Void> reauthenticate(
      Principal p, String password, RequestInfo request, String field, String auditEvent) {
    return hasher
        .admission()
        .compose(v -> UserRepository.reauth(pg, p.userId()))
        .map(AccountService::existing)
        .compose(
            account ->
                throttle
                    .check(
                        new LoginThrottle.Attempt(
                            // a phone-only account has no email: its brake is keyed by its id
                            account.email() == null ? "user:" + p.userId() : account.email(),
                            request.ip(),
                            "session-" + p.sessionId()))
                    .compose(
                        attempt ->
                            hasher
                                .verify(password, account.passwordHash())
                                .compose(
                                    ok ->
                                        ok
                                            ? Future.<Void>succeededFuture()
                                            : wrongPassword(
                                                attempt, p, request, field, auditEvent))));
  }

  private <T> Future<T> fail(UUID userId, LoginThrottle.Attempt attempt, RequestInfo request) {
    Metrics.count(Metrics.Event.LOGIN_FAILED);
    return throttle
        .recordFailure(attempt)
        .compose(
            lock -> {
              Future<Void> audited =
                  AuditLog.record(pg, new AuditLog.Event("login_failure", userId, null, request));
              if (lock.ms() == 0) {
                return audited;
              }
              Metrics.count(Metrics.Event.ACCOUNT_LOCKED);
              return audited.compose(
                  v ->
                      AuditLog.record(
                          pg,
                          new AuditLog.Event("account_locked", userId, null, request)
                              .with("lock_ms", lock.ms())
                              .with("scope", lock.scope())));
            })
        // the answer is the same whether or not the audit write succeeded
        .transform(audited -> Future.failedFuture(INVALID_CREDENTIALS));
  }

  public Future<TokenPair> refresh(String refreshToken, RequestInfo request) {
    return rotation
        .rotate(refreshToken, request)
        .compose(
            outcome -> {
              if (outcome instanceof RefreshRotation.Rotated r) {
                return pairForStanding(
                    r.userId(),
                    r.sessionId(),
                    r.refreshToken(),
                    r.refreshExpiresIn(),
                    r.assurance());
              }
              if (outcome instanceof RefreshRotation.Replayed r) {
                return pairForStanding(
                    r.userId(),
                    r.sessionId(),
                    r.refreshToken(),
                    r.refreshExpiresIn(),
                    r.assurance());
              }
              if (outcome instanceof RefreshRotation.Reused r) {
                revocations.revokeSession(r.userId(), r.sessionId());
                return Future.failedFuture(
                    Failure.unauthenticated(
                        "refresh_token_reused",
                        "This refresh token was already used; the session has been ended. Sign in again."));
              }
              String code = ((RefreshRotation.Refused) outcome).code();
              return Future.failedFuture(
                  Failure.unauthenticated(
                      code,
                      switch (code) {
                        case "refresh_token_expired" ->
                            "The refresh token has expired; sign in again.";
                        case "session_expired" ->
                            "The session has reached its maximum age; sign in again.";
                        case "session_revoked" -> "The session has ended; sign in again.";
                        default -> "The refresh token is not valid.";
                      }));
            });
  }

  /**
   * The role a refreshed token carries, read from PostgreSQL (never from the old token): a disabled
   * account gets none (403), a deleted one 401.
   */
  private Future<Role> standing(UUID userId) {
    return UserRepository.standing(pg, userId)
        .map(AccountService::existing)
        .compose(
            s ->
                s.disabled()
                    ? Future.failedFuture(ACCOUNT_DISABLED)
                    : Future.succeededFuture(level(s.role())));
  }

  /**
   * A pair for a refreshed session, minted with the role the account holds now and the assurance
   * the session was established with.
   */
  private Future<TokenPair> pairForStanding(
      UUID userId,
      UUID sessionId,
      String refreshToken,
      long refreshExpiresIn,
      Assurance assurance) {
    return standing(userId)
        .compose(
            role ->
                issuer.pair(userId, sessionId, role, refreshToken, refreshExpiresIn, assurance));
  }

  /** The level of a stored role name; a name no longer configured counts as the lowest. */
  private Role level(String name) {
    Role role = roles.level(name);
    return role == null ? Role.USER : role;
  }

  /**
   * Deletes the caller's account once the password is proven again: every session ends at once
   * (PostgreSQL, then the Redis markers), the account, its tasks, sessions, tokens and audit events
   * go in one transaction, and one tombstone stays in the audit trail: the event and the former id,
   * no email, no address. The last active administrator cannot leave (409).
   */
  public Future<Void> deleteAccount(Principal p, String password, RequestInfo request) {
    return stepUp
        .require(p)
        .compose(v -> reauthenticate(p, password, request, "account_deletion_failure"))
        .compose(
            v ->
                pg.withTransaction(
                    conn ->
                        UserRepository.standing(conn, p.userId())
                            .map(AccountService::existing)
                            .compose(
                                standing ->
                                    level(standing.role()) == Role.ADMIN && !standing.disabled()
                                        ? UserRepository.lockAndCountActiveAdmins(
                                                conn, roles.name(Role.ADMIN))
                                            .compose(
                                                admins ->
                                                    admins <= 1
                                                        ? Future.failedFuture(LAST_ADMIN)
                                                        : Future.succeededFuture())
                                        : Future.succeededFuture())
                            .compose(
                                ok ->
                                    SessionRepository.revokeAll(
                                        conn, p.userId(), "account_deleted"))
                            .compose(
                                ended ->
                                    UserRepository.delete(conn, p.userId())
                                        .compose(
                                            deleted ->
                                                AuditLog.record(
                                                    conn,
                                                    new AuditLog.Event(
                                                            "account_deleted",
                                                            null,
                                                            null,
                                                            null,
                                                            request.requestId(),
                                                            new JsonObject())
                                                        .with("user_id", p.userId().toString())))
                                        .map(ended))))
        .compose(ended -> revocations.revokeAll(p.userId(), Revocations.nextStamp(), ended));
  }

  public Future<UserRepository.Profile> profile(Principal p) {
    return UserRepository.profile(pg, p.userId()).map(AccountService::existing);
  }

  public Future<UserRepository.Profile> updateProfile(Principal p, String displayName) {
    return UserRepository.updateDisplayName(pg, p.userId(), displayName)
        .map(AccountService::existing);
  }

  /**
   * Re-authenticates with the current password, stores the new hash, ends every other session,
   * revokes every older access token (this session's too: its not-before stamp is recorded with the
   * change), and answers a fresh pair for this session. Once the change is committed it is
   * answered: Redis markers that cannot be written do not fail it.
   */
  public Future<TokenPair> changePassword(
      Principal p, String current, String replacement, RequestInfo request) {
    return stepUp
        .require(p)
        .compose(
            v -> reauthenticate(p, current, request, "current_password", "password_change_failure"))
        .compose(v -> hasher.hash(replacement))
        .compose(
            newHash ->
                pg.withTransaction(
                        conn ->
                            UserRepository.updatePassword(conn, p.userId(), newHash)
                                .compose(
                                    v ->
                                        SessionRepository.revokeOthers(
                                            conn, p.userId(), p.sessionId(), "password_changed"))
                                .compose(
                                    ended -> {
                                      // stamped as late as it can be: every token minted before it,
                                      // up to the change, is revoked
                                      long stamp = Revocations.nextStamp();
                                      return RevocationRepository.stampAccessNotBefore(
                                              conn, p.sessionId(), stamp)
                                          .compose(
                                              v ->
                                                  SessionRepository.consumeLiveTokens(
                                                      conn, p.sessionId()))
                                          .compose(
                                              v -> issuer.startRefreshToken(conn, p.sessionId()))
                                          .compose(
                                              refresh ->
                                                  MfaRepository.sessionAssurance(
                                                          conn, p.sessionId())
                                                      .map(
                                                          assurance ->
                                                              new Refreshed(refresh, assurance)))
                                          .compose(
                                              refreshed ->
                                                  AuditLog.record(
                                                          conn,
                                                          new AuditLog.Event(
                                                              "password_changed",
                                                              p.userId(),
                                                              p.sessionId(),
                                                              request))
                                                      .map(
                                                          new PasswordChanged(
                                                              refreshed.refreshToken(),
                                                              refreshed.assurance(),
                                                              stamp,
                                                              ended)));
                                    }))
                    .compose(
                        changed ->
                            revocations
                                .revokeAll(p.userId(), changed.stamp(), changed.endedSessions())
                                .map(
                                    v ->
                                        issuer.pairAt(
                                            p.userId(),
                                            p.sessionId(),
                                            p.role(),
                                            changed.refreshToken(),
                                            changed.stamp(),
                                            changed.assurance()))));
  }

  private record Refreshed(String refreshToken, Assurance assurance) {}

  /** What a committed password change leaves to do outside its transaction. */
  private record PasswordChanged(
      String refreshToken, Assurance assurance, long stamp, List<UUID> endedSessions) {}

  /**
   * A wrong current password counts against a brake like a failed login — this session's, the
   * session being a device that proved itself: a stolen token cannot guess freely, nor lock the
   * owner's other devices out.
   */
  private <T> Future<T> wrongPassword(
      LoginThrottle.Attempt attempt,
      Principal p,
      RequestInfo request,
      String field,
      String auditEvent) {
    return throttle
        .recordFailure(attempt)
        .compose(
            lockMs ->
                AuditLog.record(
                    pg, new AuditLog.Event(auditEvent, p.userId(), p.sessionId(), request)))
        // 401 like a failed login: the password did not authenticate. The token did, and stays
        // valid
        .transform(
            ignored ->
                Future.failedFuture(
                    Failure.unauthenticated(
                        "invalid_credentials",
                        field.equals("current_password")
                            ? "The current password is incorrect."
                            : "The password is incorrect.")));
  }

  private static <T> T existing(T value) {
    if (value == null) {
      throw Failure.unauthenticated(
          "user_not_found", "The account of this token no longer exists.");
    }
    return value;
  }
}
