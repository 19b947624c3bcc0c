package dev.bulwark.auth;

import dev.bulwark.config.PhoneConfig;
import dev.bulwark.config.Roles;
import dev.bulwark.core.Failure;
import dev.bulwark.core.Role;
import dev.bulwark.outbox.NewMessage;
import dev.bulwark.outbox.OutboxRepository;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * Signing in with a mobile number and an SMS code, and linking a number to an account. A code
 * request answers the same whether or not the number has an account (no account is looked up); the
 * code is sent through the outbox. Every request and verify counts against the client address's and
 * the number's limits first.
 */
public final class PhoneSignIn {
  private static final Failure INVALID_CODE =
      Failure.invalid(
          "invalid_code", "The code is wrong, expired or already used; ask for a new one.");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Pool pg;
  private final PasswordHasher hasher;
  private final TokenIssuer issuer;
  private final OtpCodes codes;
  private final WindowCounter counter;
  private final PhoneConfig config;
  private final Roles roles;
  private final MfaChallenges challenges;

  public PhoneSignIn(
      Pool pg,
      PasswordHasher hasher,
      TokenIssuer issuer,
      OtpCodes codes,
      io.vertx.redis.client.Redis redis,
      long redisTimeoutMs,
      PhoneConfig config,
      Roles roles,
      MfaChallenges challenges) {
    this.roles = roles;
    this.challenges = challenges;
    this.pg = pg;
    this.hasher = hasher;
    this.issuer = issuer;
    this.codes = codes;
    this.counter = new WindowCounter(redis, redisTimeoutMs);
    this.config = config;
  }

  /** What a code request answers: how long the code works and when another may be asked for. */
  public record Issued(long expiresIn, long resendAfter) {}

  /** {@code POST /auth/otp/request} (or {@code /me/phone} with {@code userId}). */
  public Future<Issued> request(String e164, UUID userId, RequestInfo request) {
    String purpose = purpose(userId);
    String code = OtpCodes.generate();
    return limits(
            "req", e164, request, config.requestsPerWindow(), config.requestWindow().toMillis())
        .compose(v -> codes.issue(e164, purpose, code))
        .compose(v -> OutboxRepository.enqueue(pg, NewMessage.sms(e164, text(code))))
        .map(v -> new Issued(config.codeTtl().toSeconds(), config.resendAfter().toSeconds()));
  }

  /** {@code POST /auth/otp/verify}: a token pair, for the number's account (created if allowed). */
  public Future<SignInAnswer> verify(String e164, String code, String device, RequestInfo request) {
    return checked(e164, null, code, request)
        .compose(v -> UserRepository.byPhone(pg, e164))
        .compose(account -> account != null ? Future.succeededFuture(account) : create(e164))
        .compose(
            account -> {
              // the code proved the number, not a right to an account an administrator disabled
              if (account.disabled()) {
                return Future.failedFuture(AccountService.ACCOUNT_DISABLED);
              }
              Role role = roles.level(account.role());
              // an account with a second factor: the SMS code was its first factor only
              return MfaRepository.hasActiveFactor(pg, account.id())
                  .compose(
                      mfa ->
                          mfa
                              ? challenges
                                  .start(pg, account.id(), device, "sms")
                                  .compose(
                                      challenge ->
                                          AuditLog.record(
                                                  pg,
                                                  new AuditLog.Event(
                                                          "login_mfa_challenge",
                                                          account.id(),
                                                          null,
                                                          request)
                                                      .with("first_factor", "sms"))
                                              .map((SignInAnswer) challenge))
                              : signIn(
                                      account.id(),
                                      role == null ? Role.USER : role,
                                      device,
                                      request)
                                  .map(pair -> (SignInAnswer) pair));
            });
  }

  private Future<TokenPair> signIn(UUID userId, Role role, String device, RequestInfo request) {
    return pg.withTransaction(
            conn ->
                issuer
                    .startSession(conn, userId, device, request, Assurance.SMS)
                    .compose(
                        session ->
                            AuditLog.record(
                                    conn,
                                    new AuditLog.Event(
                                        "phone_login", userId, session.sessionId(), request))
                                .map(session)))
        .compose(
            session -> {
              issuer.revokeEnded(session);
              return issuer.pair(
                  session.userId(),
                  session.sessionId(),
                  role,
                  session.refreshToken(),
                  session.refreshExpiresIn(),
                  Assurance.SMS);
            });
  }

  /** {@code POST /me/phone/verify}: the number becomes the account's. */
  public Future<Void> link(Principal p, String e164, String code, RequestInfo request) {
    return checked(e164, p.userId(), code, request)
        .compose(v -> UserRepository.linkPhone(pg, p.userId(), e164))
        .recover(
            err ->
                err instanceof PgException pe && "23505".equals(pe.getSqlState())
                    ? Future.failedFuture(
                        Failure.conflict("phone_taken", "Another account uses this number."))
                    : Future.failedFuture(err))
        .compose(
            linked ->
                AuditLog.record(pg, new AuditLog.Event("phone_linked", p.userId(), null, request)));
  }

  private Future<Void> checked(String e164, UUID userId, String code, RequestInfo request) {
    return limits(
            "ver", e164, request, config.verifiesPerWindow(), config.verifyWindow().toMillis())
        .compose(
            v ->
                OtpCodes.looksValid(code)
                    ? codes.verify(e164, purpose(userId), code)
                    : Future.succeededFuture(false))
        .compose(ok -> ok ? Future.<Void>succeededFuture() : Future.failedFuture(INVALID_CODE));
  }

  private Future<UserRepository.PhoneAccount> create(String e164) {
    if (!config.phoneSignup()) {
      return Future.failedFuture(
          Failure.forbidden(
              "phone_not_registered",
              "No account uses this number; sign in another way and add it to your profile."));
    }
    byte[] unusable = new byte[32];
    RANDOM.nextBytes(unusable);
    return hasher
        .hash(Base64.getEncoder().encodeToString(unusable))
        .compose(hash -> UserRepository.insertPhoneOnly(pg, e164, hash, roles.name(Role.USER)))
        .compose(
            account ->
                account != null
                    ? Future.succeededFuture(account)
                    : UserRepository.byPhone(pg, e164));
  }

  /** Per client address and per number; both counted, the first spent one answers. */
  private Future<Void> limits(
      String action, String e164, RequestInfo request, int limit, long windowMs) {
    Future<Void> byIp =
        counter.hit(
            "bw:{ip:" + LoginThrottle.addressKey(request.ip()) + "}:otp:" + action,
            limit,
            windowMs);
    Future<Void> byNumber =
        counter.hit("bw:{ph:" + OtpCodes.digest(e164) + "}:" + action, limit, windowMs);
    return Future.all(byIp, byNumber).mapEmpty();
  }

  private static String purpose(UUID userId) {
    return userId == null ? OtpCodes.SIGN_IN : "link:" + userId;
  }

  private String text(String code) {
    return code
        + " is your sign-in code. It expires in "
        + config.codeTtl().toMinutes()
        + " minutes. Never share it.";
  }
}
