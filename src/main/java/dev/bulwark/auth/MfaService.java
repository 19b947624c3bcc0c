package dev.bulwark.auth;

import dev.bulwark.config.IdentityConfig;
import dev.bulwark.config.MfaConfig;
import dev.bulwark.config.Roles;
import dev.bulwark.core.Failure;
import dev.bulwark.core.Role;
import dev.bulwark.infra.Metrics;
import dev.bulwark.outbox.OutboxRepository;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * TOTP factors: enrolment, activation (which answers the recovery codes), removal, recovery-code
 * regeneration, the second step of a login, and step-up of a signed-in session. A code is accepted
 * once per factor: the step it matched must move the factor's last used step forward in one
 * conditional UPDATE, in the transaction that also consumes the challenge and starts the session.
 * Ten failed second factors within fifteen minutes brake the account's second factor (429) and tell
 * the owner through the outbox.
 */
public final class MfaService {
  public static final int MAX_FACTORS = 10;
  static final Duration PENDING = Duration.ofMinutes(10);
  static final int BRAKE_FAILURES = 10;
  static final Duration BRAKE_WINDOW = Duration.ofMinutes(15);

  static final Failure INVALID_CODE =
      Failure.unauthenticated("invalid_code", "The code is not valid.");
  static final Failure CODE_ALREADY_USED =
      Failure.unauthenticated(
          "code_already_used", "This code was already used; wait for the next one.");
  static final Failure INVALID_RECOVERY_CODE =
      Failure.unauthenticated(
          "invalid_recovery_code", "The recovery code is not valid or was already used.");
  private static final Failure INVALID_MFA_TOKEN =
      Failure.unauthenticated(
          "invalid_mfa_token", "The MFA token is not valid or was already used; sign in again.");
  private static final Failure MFA_TOKEN_EXPIRED =
      Failure.unauthenticated("mfa_token_expired", "The MFA token has expired; sign in again.");
  private static final Failure MFA_TOKEN_EXHAUSTED =
      Failure.unauthenticated(
          "mfa_token_exhausted", "Too many attempts with this MFA token; sign in again.");
  private static final Failure FACTOR_NOT_FOUND =
      Failure.of(Failure.Kind.NOT_FOUND, "factor_not_found", "No such factor.");
  private static final Failure NO_MFA =
      Failure.conflict("mfa_not_enabled", "This account has no active second factor.");

  /** What enrolment answers: shown once, the secret never again. */
  public record Enrolment(
      UUID factorId, String secret, String otpauthUri, String qrSvg, OffsetDateTime expiresAt) {}

  /** A factor list and how many recovery codes remain unused. */
  public record Status(List<MfaRepository.FactorView> factors, long recoveryCodesRemaining) {}

  /** The second factor a client presents: a TOTP code or a recovery code (one of the two). */
  public record SecondFactor(String code, String recoveryCode) {}

  /** Proves the password of a signed-in caller again (a wrong one counts against a brake). */
  @FunctionalInterface
  public interface Reauthentication {
    Future<Void> prove(Principal p, String password, RequestInfo request, String auditEvent);
  }

  private final Pool pg;
  private final MfaSecrets secrets;
  private final MfaConfig config;
  private final TokenIssuer issuer;
  private final DeviceTokens devices;
  private final StepUp stepUp;
  private final Reauthentication reauth;
  private final Roles roles;
  private final IdentityMessages messages;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public MfaService(
      Pool pg,
      MfaConfig config,
      IdentityConfig identity,
      TokenIssuer issuer,
      DeviceTokens devices,
      StepUp stepUp,
      Reauthentication reauth,
      Roles roles,
      Clock clock) {
    this.pg = pg;
    this.secrets = new MfaSecrets(config);
    this.config = config;
    this.issuer = issuer;
    this.devices = devices;
    this.stepUp = stepUp;
    this.reauth = reauth;
    this.roles = roles;
    this.messages = new IdentityMessages(identity);
    this.clock = clock;
  }

  private Instant now() {
    return SessionLifetime.now(clock);
  }

  /**
   * A new pending TOTP factor. A caller who already has one must have proven it in this session; an
   * eleventh factor is refused (409).
   */
  public Future<Enrolment> enrol(Principal p, RequestInfo request) {
    Instant now = now();
    UUID factorId = UUID.randomUUID();
    byte[] secret = Totp.newSecret(random);
    MfaSecrets.Sealed sealed = secrets.seal(secret, p.userId(), factorId);
    OffsetDateTime expires = SessionLifetime.at(now.plus(PENDING));
    return stepUp
        .require(p)
        .compose(
            v ->
                pg.withTransaction(
                    conn ->
                        MfaRepository.lockUser(conn, p.userId())
                            .compose(
                                locked ->
                                    MfaRepository.purgeAndCount(
                                        conn, p.userId(), SessionLifetime.at(now)))
                            .compose(
                                count ->
                                    count >= MAX_FACTORS
                                        ? Future.failedFuture(
                                            Failure.conflict(
                                                "too_many_factors",
                                                "An account has at most "
                                                    + MAX_FACTORS
                                                    + " factors; remove one first."))
                                        : MfaRepository.insertFactor(
                                            conn,
                                            factorId,
                                            p.userId(),
                                            sealed,
                                            expires,
                                            SessionLifetime.at(now)))
                            .compose(
                                inserted ->
                                    AuditLog.record(
                                        conn,
                                        new AuditLog.Event(
                                                "mfa_enrolled", p.userId(), p.sessionId(), request)
                                            .with("factor_id", factorId.toString())))
                            .compose(audited -> MfaRepository.email(conn, p.userId()))))
        .map(
            email -> {
              Metrics.count(Metrics.Event.MFA_ENROLLED);
              String uri = otpauthUri(Totp.base32(secret), email == null ? p.userId() + "" : email);
              return new Enrolment(factorId, Totp.base32(secret), uri, QrSvg.render(uri), expires);
            });
  }

  private String otpauthUri(String secret, String account) {
    String issuer = encode(config.issuer());
    return "otpauth://totp/"
        + issuer
        + ":"
        + encode(account)
        + "?secret="
        + secret
        + "&issuer="
        + issuer
        + "&algorithm=SHA1&digits="
        + Totp.DIGITS
        + "&period="
        + Totp.PERIOD_SECONDS;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Activates a pending factor with a current code (which is then used up) and answers a new set of
   * recovery codes, replacing any earlier set.
   */
  public Future<List<String>> activate(
      Principal p, UUID factorId, String code, RequestInfo request) {
    Instant now = now();
    List<String> codes = RecoveryCodes.generate(random);
    List<byte[]> hashes = new ArrayList<>();
    for (String c : codes) {
      hashes.add(RecoveryCodes.hash(RecoveryCodes.normalize(c)));
    }
    return pg.withTransaction(
            conn ->
                MfaRepository.lockUser(conn, p.userId())
                    .compose(
                        v ->
                            MfaRepository.factor(
                                conn, factorId, p.userId(), SessionLifetime.at(now)))
                    .compose(
                        factor -> {
                          if (factor == null) {
                            return Future.failedFuture(FACTOR_NOT_FOUND);
                          }
                          if (factor.active()) {
                            return Future.failedFuture(
                                Failure.conflict(
                                    "factor_already_active", "This factor is already active."));
                          }
                          if (factor.expired()) {
                            return Future.failedFuture(
                                Failure.gone(
                                    "factor_expired", "This enrolment has expired; enrol again."));
                          }
                          return useCode(conn, p.userId(), factor, code, now)
                              .compose(
                                  used ->
                                      MfaRepository.activate(
                                          conn, factorId, SessionLifetime.at(now)))
                              .compose(
                                  activated ->
                                      MfaRepository.replaceRecoveryCodes(conn, p.userId(), hashes))
                              .compose(
                                  replaced ->
                                      AuditLog.record(
                                          conn,
                                          new AuditLog.Event(
                                                  "mfa_activated",
                                                  p.userId(),
                                                  p.sessionId(),
                                                  request)
                                              .with("factor_id", factorId.toString())));
                        }))
        .map(
            v -> {
              Metrics.count(Metrics.Event.MFA_ACTIVATED);
              return codes;
            });
  }

  public Future<Status> status(Principal p) {
    return MfaRepository.list(pg, p.userId(), SessionLifetime.at(now()))
        .compose(
            factors ->
                MfaRepository.recoveryRemaining(pg, p.userId())
                    .map(remaining -> new Status(factors, remaining)));
  }

  /**
   * Removes a factor: the session must be at level 2 when the account has MFA, and the password and
   * a current code of that factor proven again. The last active factor takes the recovery codes
   * with it.
   */
  public Future<Void> remove(
      Principal p, UUID factorId, String password, String code, RequestInfo request) {
    Instant now = now();
    return stepUp
        .require(p)
        .compose(v -> reauth.prove(p, password, request, "mfa_removal_failure"))
        .compose(v -> braked(p.userId(), now))
        .compose(
            v ->
                pg.withTransaction(
                        conn ->
                            MfaRepository.lockUser(conn, p.userId())
                                .compose(
                                    locked ->
                                        MfaRepository.factor(
                                            conn, factorId, p.userId(), SessionLifetime.at(now)))
                                .compose(
                                    factor ->
                                        factor == null
                                            ? Future.failedFuture(FACTOR_NOT_FOUND)
                                            : useCode(conn, p.userId(), factor, code, now))
                                .compose(
                                    used -> MfaRepository.deleteFactor(conn, factorId, p.userId()))
                                .compose(deleted -> MfaRepository.hasActiveFactor(conn, p.userId()))
                                .compose(
                                    stillMfa ->
                                        stillMfa
                                            ? Future.succeededFuture()
                                            : MfaRepository.replaceRecoveryCodes(
                                                conn, p.userId(), List.of()))
                                .compose(
                                    cleared ->
                                        AuditLog.record(
                                            conn,
                                            new AuditLog.Event(
                                                    "mfa_removed",
                                                    p.userId(),
                                                    p.sessionId(),
                                                    request)
                                                .with("factor_id", factorId.toString()))))
                    .recover(err -> failed(p.userId(), p.sessionId(), err, request)))
        .onSuccess(v -> Metrics.count(Metrics.Event.MFA_REMOVED));
  }

  /** A new set of recovery codes, after the password and (with MFA) level 2 are proven. */
  public Future<List<String>> regenerateRecoveryCodes(
      Principal p, String password, RequestInfo request) {
    List<String> codes = RecoveryCodes.generate(random);
    List<byte[]> hashes = new ArrayList<>();
    for (String c : codes) {
      hashes.add(RecoveryCodes.hash(RecoveryCodes.normalize(c)));
    }
    return stepUp
        .require(p)
        .compose(v -> reauth.prove(p, password, request, "mfa_recovery_regeneration_failure"))
        .compose(
            v ->
                pg.withTransaction(
                    conn ->
                        MfaRepository.hasActiveFactor(conn, p.userId())
                            .compose(
                                mfa ->
                                    mfa
                                        ? MfaRepository.replaceRecoveryCodes(
                                            conn, p.userId(), hashes)
                                        : Future.failedFuture(NO_MFA))
                            .compose(
                                replaced ->
                                    AuditLog.record(
                                        conn,
                                        new AuditLog.Event(
                                            "mfa_recovery_codes_regenerated",
                                            p.userId(),
                                            p.sessionId(),
                                            request)))))
        .map(codes);
  }

  /**
   * The second step of a login: the challenge counts an attempt, then the code (or recovery code)
   * is proven, the challenge consumed and the session started, in one transaction.
   */
  public Future<TokenPair> verifyLogin(String mfaToken, SecondFactor second, RequestInfo request) {
    if (!MfaChallenges.looksValid(mfaToken)) {
      return Future.failedFuture(INVALID_MFA_TOKEN);
    }
    byte[] tokenHash = MfaChallenges.hash(mfaToken);
    Instant now = now();
    return MfaRepository.attemptChallenge(pg, tokenHash, SessionLifetime.at(now))
        .compose(
            challenge -> {
              if (challenge == null) {
                return Future.failedFuture(INVALID_MFA_TOKEN);
              }
              if (challenge.expired()) {
                return Future.failedFuture(MFA_TOKEN_EXPIRED);
              }
              if (challenge.attempts() > MfaChallenges.MAX_ATTEMPTS) {
                return Future.failedFuture(MFA_TOKEN_EXHAUSTED);
              }
              UUID userId = challenge.userId();
              return braked(userId, now)
                  .compose(
                      v ->
                          pg.withTransaction(
                              conn ->
                                  prove(conn, userId, second, now, request)
                                      // the first factor as the challenge recorded it, then this
                                      // one
                                      .map(
                                          proven ->
                                              new Assurance(
                                                      1, List.of(challenge.firstFactor()), false)
                                                  .stepUp(
                                                      proven.amr().get(proven.amr().size() - 1)))
                                      .compose(
                                          assurance ->
                                              MfaRepository.consumeChallenge(
                                                      conn, tokenHash, SessionLifetime.at(now))
                                                  .compose(
                                                      consumed ->
                                                          consumed
                                                              ? startSession(
                                                                  conn,
                                                                  userId,
                                                                  challenge.deviceName(),
                                                                  assurance,
                                                                  request)
                                                              : Future.failedFuture(
                                                                  INVALID_MFA_TOKEN)))))
                  .recover(err -> failed(userId, null, err, request))
                  .compose(
                      started -> {
                        issuer.revokeEnded(started.session());
                        return issuer.pair(
                            userId,
                            started.session().sessionId(),
                            started.role(),
                            started.session().refreshToken(),
                            started.session().refreshExpiresIn(),
                            started.assurance());
                      })
                  .map(
                      pair -> {
                        Metrics.count(Metrics.Event.MFA_SUCCEEDED);
                        Metrics.count(Metrics.Event.LOGIN_SUCCEEDED);
                        return pair.withDeviceToken(devices.issue(userId));
                      });
            });
  }

  private record Started(TokenIssuer.NewSession session, Role role, Assurance assurance) {}

  private Future<Started> startSession(
      SqlConnection conn,
      UUID userId,
      String deviceName,
      Assurance assurance,
      RequestInfo request) {
    return UserRepository.standing(conn, userId)
        .compose(
            standing -> {
              if (standing == null) {
                return Future.failedFuture(INVALID_MFA_TOKEN);
              }
              if (standing.disabled()) {
                return Future.failedFuture(AccountService.ACCOUNT_DISABLED);
              }
              Role role = roles.level(standing.role());
              return issuer
                  .startSession(conn, userId, deviceName, request, assurance)
                  .compose(
                      session ->
                          AuditLog.record(
                                  conn,
                                  new AuditLog.Event(
                                          "login_success", userId, session.sessionId(), request)
                                      .with("amr", String.join(" ", assurance.amr())))
                              .map(
                                  v ->
                                      new Started(
                                          session, role == null ? Role.USER : role, assurance)));
            });
  }

  /**
   * Raises the caller's session to level 2 with a second factor: the session's live refresh token
   * is retired and a new pair, at level 2, answered for the same session.
   */
  public Future<TokenPair> stepUp(Principal p, SecondFactor second, RequestInfo request) {
    Instant now = now();
    return braked(p.userId(), now)
        .compose(
            v ->
                pg.withTransaction(
                    conn ->
                        prove(conn, p.userId(), second, now, request)
                            .compose(
                                proven ->
                                    MfaRepository.sessionAssurance(conn, p.sessionId())
                                        .map(
                                            current ->
                                                current.stepUp(
                                                    proven.amr().get(proven.amr().size() - 1))))
                            .compose(
                                raised ->
                                    MfaRepository.raiseSession(
                                            conn, p.sessionId(), p.userId(), raised)
                                        .compose(
                                            live ->
                                                live
                                                    ? SessionRepository.consumeLiveTokens(
                                                        conn, p.sessionId())
                                                    : Future.failedFuture(
                                                        Failure.unauthenticated(
                                                            "session_revoked",
                                                            "The session has ended; sign in"
                                                                + " again.")))
                                        .compose(
                                            consumed ->
                                                issuer.startRefreshToken(conn, p.sessionId()))
                                        .compose(
                                            refresh ->
                                                AuditLog.record(
                                                        conn,
                                                        new AuditLog.Event(
                                                                "mfa_step_up",
                                                                p.userId(),
                                                                p.sessionId(),
                                                                request)
                                                            .with(
                                                                "amr",
                                                                String.join(" ", raised.amr())))
                                                    .map(
                                                        audited ->
                                                            new SteppedUp(refresh, raised))))))
        .recover(err -> failed(p.userId(), p.sessionId(), err, request))
        .compose(
            up ->
                issuer.pair(
                    p.userId(),
                    p.sessionId(),
                    p.role(),
                    up.refreshToken(),
                    issuer.idleSeconds(),
                    up.assurance()))
        .onSuccess(pair -> Metrics.count(Metrics.Event.MFA_SUCCEEDED));
  }

  private record SteppedUp(String refreshToken, Assurance assurance) {}

  /**
   * Proves the second factor inside {@code conn}'s transaction: a TOTP code of any active factor
   * (its step then used up), or an unused recovery code (then used). Answers the assurance a
   * password sign-in reaches with it.
   */
  private Future<Assurance> prove(
      SqlConnection conn, UUID userId, SecondFactor second, Instant now, RequestInfo request) {
    if (second.recoveryCode() != null) {
      String normalized = RecoveryCodes.normalize(second.recoveryCode());
      if (normalized == null) {
        return Future.failedFuture(INVALID_RECOVERY_CODE);
      }
      return MfaRepository.useRecoveryCode(
              conn, userId, RecoveryCodes.hash(normalized), SessionLifetime.at(now))
          .compose(
              used -> {
                if (!used) {
                  return Future.failedFuture(INVALID_RECOVERY_CODE);
                }
                Metrics.count(Metrics.Event.MFA_RECOVERY_CODE_USED);
                return MfaRepository.recoveryRemaining(conn, userId)
                    .compose(
                        remaining ->
                            AuditLog.record(
                                conn,
                                new AuditLog.Event("mfa_recovery_code_used", userId, null, request)
                                    .with("remaining", remaining)))
                    .map(Assurance.PASSWORD_AND_RECOVERY);
              });
    }
    return MfaRepository.activeFactors(conn, userId)
        .compose(
            factors -> {
              long nowStep = Totp.step(now);
              for (MfaRepository.Factor f : factors) {
                byte[] secret = secrets.open(f.keyId(), f.sealedSecret(), userId, f.id());
                long step =
                    secret == null
                        ? -1
                        : Totp.match(secret, second.code(), nowStep, config.window());
                if (step >= 0) {
                  return MfaRepository.useStep(conn, f.id(), step, SessionLifetime.at(now))
                      .compose(
                          fresh ->
                              fresh
                                  ? Future.succeededFuture(Assurance.PASSWORD_AND_OTP)
                                  : Future.failedFuture(CODE_ALREADY_USED));
                }
              }
              return Future.failedFuture(INVALID_CODE);
            });
  }

  /** A code of one given factor, then used up (activation and removal). */
  private Future<Void> useCode(
      SqlConnection conn, UUID userId, MfaRepository.Factor factor, String code, Instant now) {
    byte[] secret = secrets.open(factor.keyId(), factor.sealedSecret(), userId, factor.id());
    if (secret == null) {
      return Future.failedFuture(
          Failure.conflict(
              "factor_unreadable",
              "This factor was sealed with a key no longer configured; remove it and enrol again."));
    }
    long step = Totp.match(secret, code, Totp.step(now), config.window());
    if (step < 0) {
      return Future.failedFuture(INVALID_CODE);
    }
    return MfaRepository.useStep(conn, factor.id(), step, SessionLifetime.at(now))
        .compose(
            fresh -> fresh ? Future.succeededFuture() : Future.failedFuture(CODE_ALREADY_USED));
  }

  /** 429 while the account's second factor is braked. */
  private Future<Void> braked(UUID userId, Instant now) {
    return MfaRepository.recentFailures(pg, userId, SessionLifetime.at(now.minus(BRAKE_WINDOW)))
        .compose(
            n ->
                n >= BRAKE_FAILURES
                    ? Future.failedFuture(
                        Failure.tooManyRequests(
                            "second_factor_locked",
                            "Too many wrong codes: second-factor sign-in is paused; try again"
                                + " later.",
                            BRAKE_WINDOW.toSeconds()))
                    : Future.succeededFuture());
  }

  /**
   * A wrong, replayed or used-up code counts against the brake, is audited and counted; the tenth
   * within the window tells the owner. Any other failure passes through untouched.
   */
  private <T> Future<T> failed(UUID userId, UUID sessionId, Throwable err, RequestInfo request) {
    if (err != INVALID_CODE && err != CODE_ALREADY_USED && err != INVALID_RECOVERY_CODE) {
      return Future.failedFuture(err);
    }
    Metrics.count(
        err == CODE_ALREADY_USED ? Metrics.Event.MFA_REPLAY_REFUSED : Metrics.Event.MFA_FAILED);
    Instant now = now();
    return MfaRepository.recordFailure(
            pg, userId, SessionLifetime.at(now), SessionLifetime.at(now.minus(BRAKE_WINDOW)))
        .compose(
            n ->
                AuditLog.record(
                        pg,
                        new AuditLog.Event("mfa_failure", userId, sessionId, request)
                            .with("code", ((Failure) err).code())
                            .with("recent_failures", n))
                    .compose(
                        v ->
                            n == BRAKE_FAILURES
                                ? lockedNotice(userId, request)
                                : Future.<Void>succeededFuture()))
        .transform(ignored -> Future.failedFuture(err));
  }

  private Future<Void> lockedNotice(UUID userId, RequestInfo request) {
    Metrics.count(Metrics.Event.MFA_LOCKED);
    return MfaRepository.email(pg, userId)
        .compose(
            email ->
                AuditLog.record(pg, new AuditLog.Event("mfa_locked", userId, null, request))
                    .compose(
                        v ->
                            email == null
                                ? Future.succeededFuture()
                                : OutboxRepository.enqueue(
                                    pg, messages.secondFactorLocked(email))));
  }
}
