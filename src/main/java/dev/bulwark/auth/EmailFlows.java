package dev.bulwark.auth;

import dev.bulwark.config.IdentityConfig;
import dev.bulwark.core.Failure;
import dev.bulwark.outbox.Delivery;
import dev.bulwark.outbox.NewMessage;
import dev.bulwark.outbox.OutboundMessage;
import dev.bulwark.outbox.OutboxRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Proving an email and recovering a password. What a request does never depends on whether the
 * address has an account: a reset or resend request counts against the address's quota and queues a
 * deferred job (one INSERT, the same for every address); the outbox sender runs the job, looks the
 * account up, and queues the email if there is one. Tokens are {@link EmailTokens}: the raw token
 * exists only in the queued message.
 */
public final class EmailFlows {
  /** Deferred jobs the outbox runs (see {@link #deliveries}). */
  static final String RESET_REQUEST = "password_reset_request";

  static final String VERIFICATION_REQUEST = "verification_request";

  private static final Failure INVALID_TOKEN =
      Failure.invalid("invalid_token", "The link is not valid: it may have expired or been used.");

  private final Pool pg;
  private final PasswordHasher hasher;
  private final Revocations revocations;
  private final EmailQuota quota;
  private final IdentityConfig config;
  private final IdentityMessages messages;

  public EmailFlows(
      Pool pg,
      PasswordHasher hasher,
      Revocations revocations,
      EmailQuota quota,
      IdentityConfig config) {
    this.pg = pg;
    this.hasher = hasher;
    this.revocations = revocations;
    this.quota = quota;
    this.config = config;
    this.messages = new IdentityMessages(config);
  }

  /** The deferred jobs of these flows, by outbox kind, for the outbox sender. */
  public Map<String, Delivery> deliveries() {
    return Map.of(
        RESET_REQUEST, this::runResetRequest, VERIFICATION_REQUEST, this::runVerificationRequest);
  }

  /** The kinds {@link #deliveries} answers for (metrics are registered per kind). */
  public static List<String> kinds() {
    return List.of(RESET_REQUEST, VERIFICATION_REQUEST);
  }

  public boolean verifyFirst() {
    return config.signupMode() == IdentityConfig.SignupMode.VERIFY_FIRST;
  }

  /** In a new account's transaction: its verification email. */
  Future<Void> queueVerification(SqlClient conn, UUID userId, String email) {
    String token = EmailTokens.generate();
    return EmailTokens.insert(
            conn,
            token,
            userId,
            EmailTokens.VERIFY_EMAIL,
            email,
            config.verificationTtl().toSeconds())
        .compose(v -> OutboxRepository.enqueue(conn, messages.verification(email, token)));
  }

  /** Verify-first signup with an address that has an account: its owner is told. */
  Future<Void> queueSignupAttempt(SqlClient conn, String email) {
    return OutboxRepository.enqueue(conn, messages.signupAttempt(email));
  }

  /** {@code POST /auth/email/verify}: the token is used up and its address marked proven. */
  public Future<Void> verify(String token, RequestInfo request) {
    if (!EmailTokens.looksValid(token)) {
      return Future.failedFuture(INVALID_TOKEN);
    }
    return pg.withTransaction(
        conn ->
            EmailTokens.consume(conn, token, EmailTokens.VERIFY_EMAIL)
                .compose(
                    owner ->
                        owner == null
                            ? Future.failedFuture(INVALID_TOKEN)
                            : UserRepository.markEmailVerified(conn, owner.userId(), owner.email())
                                .compose(
                                    marked ->
                                        marked
                                            ? AuditLog.record(
                                                conn,
                                                new AuditLog.Event(
                                                    "email_verified",
                                                    owner.userId(),
                                                    null,
                                                    request))
                                            : Future.failedFuture(INVALID_TOKEN))));
  }

  /** {@code POST /auth/email/resend}: 202 for every address; queued, never looked up here. */
  public Future<Void> requestVerification(String email, RequestInfo request) {
    return quota
        .take("verify", email, request.ip())
        .compose(v -> OutboxRepository.enqueue(pg, job(VERIFICATION_REQUEST, email, request)));
  }

  /** {@code POST /auth/password/forgot}: 202 for every address; queued, never looked up here. */
  public Future<Void> requestReset(String email, RequestInfo request) {
    return quota
        .take("reset", email, request.ip())
        .compose(v -> OutboxRepository.enqueue(pg, job(RESET_REQUEST, email, request)));
  }

  /**
   * {@code POST /auth/password/reset}: the token is checked before any bcrypt work is spent, then
   * used up in the transaction that sets the password, retires the account's other reset links and
   * ends every session; then every access token issued before it stops working.
   */
  public Future<Void> reset(String token, String newPassword, RequestInfo request) {
    if (!EmailTokens.looksValid(token)) {
      return Future.failedFuture(INVALID_TOKEN);
    }
    return EmailTokens.isLive(pg, token, EmailTokens.RESET_PASSWORD)
        .compose(live -> live ? hasher.hash(newPassword) : Future.failedFuture(INVALID_TOKEN))
        .compose(
            hash ->
                pg.withTransaction(
                    conn ->
                        EmailTokens.consume(conn, token, EmailTokens.RESET_PASSWORD)
                            .compose(
                                owner ->
                                    owner == null
                                        ? Future.failedFuture(INVALID_TOKEN)
                                        : applyReset(conn, owner, hash, request))))
        .compose(reset -> revocations.revokeAll(reset.userId(), reset.stamp(), reset.ended()));
  }

  private record Reset(UUID userId, long stamp, List<UUID> ended) {}

  private Future<Reset> applyReset(
      SqlClient conn, EmailTokens.Owner owner, String hash, RequestInfo request) {
    return UserRepository.resetPassword(conn, owner.userId(), owner.email(), hash)
        .compose(
            changed ->
                changed
                    ? EmailTokens.retireOthers(conn, owner.userId(), EmailTokens.RESET_PASSWORD)
                    : Future.failedFuture(INVALID_TOKEN))
        .compose(v -> SessionRepository.revokeAll(conn, owner.userId(), "password_reset"))
        .compose(
            ended ->
                AuditLog.record(
                        conn,
                        new AuditLog.Event("password_reset", owner.userId(), null, request)
                            .with("sessions_ended", ended.size()))
                    .map(new Reset(owner.userId(), Revocations.nextStamp(), ended)));
  }

  /** A deferred job: the address, and where the request came from (for the audit trail). */
  private static NewMessage job(String kind, String email, RequestInfo request) {
    return new NewMessage(
        kind,
        email,
        null,
        new JsonObject().put("ip", request.ip()).put("request_id", request.requestId()).encode());
  }

  private static RequestInfo origin(OutboundMessage job) {
    JsonObject o = job.body() == null ? new JsonObject() : new JsonObject(job.body());
    return new RequestInfo(o.getString("ip"), null, o.getString("request_id"));
  }

  private Future<Void> runResetRequest(OutboundMessage job) {
    return UserRepository.byEmail(pg, job.recipient())
        .compose(
            account -> {
              if (account == null) {
                return Future.succeededFuture();
              }
              String token = EmailTokens.generate();
              return pg.withTransaction(
                  conn ->
                      EmailTokens.insert(
                              conn,
                              token,
                              account.id(),
                              EmailTokens.RESET_PASSWORD,
                              job.recipient(),
                              config.resetTtl().toSeconds())
                          .compose(
                              v ->
                                  OutboxRepository.enqueue(
                                      conn, messages.reset(job.recipient(), token)))
                          .compose(
                              v ->
                                  AuditLog.record(
                                      conn,
                                      new AuditLog.Event(
                                          "password_reset_requested",
                                          account.id(),
                                          null,
                                          origin(job)))));
            });
  }

  private Future<Void> runVerificationRequest(OutboundMessage job) {
    return UserRepository.byEmail(pg, job.recipient())
        .compose(
            account ->
                account == null || account.verified()
                    ? Future.succeededFuture()
                    : pg.withTransaction(
                        conn -> queueVerification(conn, account.id(), job.recipient())));
  }
}
