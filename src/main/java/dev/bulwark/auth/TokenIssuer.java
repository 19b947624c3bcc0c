package dev.bulwark.auth;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.core.Role;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Starts sessions (token families) and mints token pairs for them. */
public final class TokenIssuer {
  private final AccessTokens accessTokens;
  private final RefreshTokens refreshTokens;
  private final Revocations revocations;
  private final SessionLifetime lifetime;
  private final int maxSessions;
  private final Clock clock;

  /**
   * {@code clock} dates sessions and refresh tokens (tests move it); access tokens keep the system
   * clock.
   */
  public TokenIssuer(
      AccessTokens accessTokens,
      RefreshTokens refreshTokens,
      Revocations revocations,
      BulwarkConfig config,
      Clock clock) {
    this.accessTokens = accessTokens;
    this.refreshTokens = refreshTokens;
    this.revocations = revocations;
    this.lifetime = SessionLifetime.of(config.auth());
    this.maxSessions = config.auth().maxSessionsPerUser();
    this.clock = clock;
  }

  /** A new session and its first refresh token, inside the caller's transaction. */
  public record NewSession(
      UUID userId,
      UUID sessionId,
      String refreshToken,
      long refreshExpiresIn,
      List<UUID> endedSessions) {}

  public Future<NewSession> startSession(
      SqlConnection conn, UUID userId, String deviceName, RequestInfo request) {
    return startSession(conn, userId, deviceName, request, Assurance.PASSWORD);
  }

  /** A session established with {@code assurance}, which its refreshes keep. */
  public Future<NewSession> startSession(
      SqlConnection conn,
      UUID userId,
      String deviceName,
      RequestInfo request,
      Assurance assurance) {
    String refresh = refreshTokens.generate();
    Instant now = SessionLifetime.now(clock);
    return SessionRepository.insertSession(
            conn, userId, deviceName, request, now, lifetime, assurance)
        .compose(
            sessionId ->
                SessionRepository.insertToken(
                        conn, sessionId, RefreshTokens.hash(refresh), null, now, lifetime)
                    .compose(
                        expiresAt ->
                            SessionRepository.trimSessions(conn, userId, maxSessions)
                                .map(
                                    ended ->
                                        new NewSession(
                                            userId,
                                            sessionId,
                                            refresh,
                                            SessionLifetime.secondsUntil(expiresAt, now),
                                            ended))));
  }

  /**
   * A fresh first token for an existing session (after its live tokens were retired), within the
   * session's lifetime.
   */
  public Future<String> startRefreshToken(SqlConnection conn, UUID sessionId) {
    String refresh = refreshTokens.generate();
    return SessionRepository.insertToken(
            conn,
            sessionId,
            RefreshTokens.hash(refresh),
            null,
            SessionLifetime.now(clock),
            lifetime)
        .map(refresh);
  }

  /**
   * Mints the access token for a session, clearing any not-before stamp, and pairs it with the
   * refresh token.
   */
  public Future<TokenPair> pair(
      UUID userId, UUID sessionId, Role role, String refreshToken, long refreshExpiresIn) {
    return pair(userId, sessionId, role, refreshToken, refreshExpiresIn, Assurance.PASSWORD);
  }

  /** As above, for a session established with {@code assurance}. */
  public Future<TokenPair> pair(
      UUID userId,
      UUID sessionId,
      Role role,
      String refreshToken,
      long refreshExpiresIn,
      Assurance assurance) {
    return revocations
        .issueTime(userId)
        .map(
            iat -> pairAt(userId, sessionId, role, refreshToken, iat, refreshExpiresIn, assurance));
  }

  /**
   * A pair whose refresh token lives the full idle lifetime (a token just issued to a session well
   * within its maximum age).
   */
  public TokenPair pairAt(
      UUID userId, UUID sessionId, Role role, String refreshToken, long issuedAt) {
    return pairAt(userId, sessionId, role, refreshToken, issuedAt, lifetime.idleSeconds());
  }

  public TokenPair pairAt(
      UUID userId,
      UUID sessionId,
      Role role,
      String refreshToken,
      long issuedAt,
      Assurance assurance) {
    return pairAt(
        userId, sessionId, role, refreshToken, issuedAt, lifetime.idleSeconds(), assurance);
  }

  public TokenPair pairAt(
      UUID userId,
      UUID sessionId,
      Role role,
      String refreshToken,
      long issuedAt,
      long refreshExpiresIn) {
    return pairAt(
        userId, sessionId, role, refreshToken, issuedAt, refreshExpiresIn, Assurance.PASSWORD);
  }

  public TokenPair pairAt(
      UUID userId,
      UUID sessionId,
      Role role,
      String refreshToken,
      long issuedAt,
      long refreshExpiresIn,
      Assurance assurance) {
    AccessTokens.Minted access = accessTokens.mint(userId, sessionId, role, issuedAt, assurance);
    return new TokenPair(
        access.token(), access.expiresIn(), refreshToken, refreshExpiresIn, sessionId);
  }

  /** How long a refresh token just issued lives (the idle lifetime). */
  public long idleSeconds() {
    return lifetime.idleSeconds();
  }

  /**
   * Sessions ended to make room: their access tokens stop too (best effort; they expire in minutes
   * anyway).
   */
  public void revokeEnded(NewSession session) {
    for (UUID ended : session.endedSessions()) {
      revocations.revokeSession(session.userId(), ended);
    }
  }
}
