package dev.bulwark.auth;

import dev.bulwark.config.BulwarkConfig;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.UUID;

/** Starts sessions (token families) and mints token pairs for them. */
public final class TokenIssuer {
  private final AccessTokens accessTokens;
  private final RefreshTokens refreshTokens;
  private final Revocations revocations;
  private final long refreshTtlSeconds;
  private final int maxSessions;

  public TokenIssuer(AccessTokens accessTokens, RefreshTokens refreshTokens, Revocations revocations, BulwarkConfig config) {
    this.accessTokens = accessTokens;
    this.refreshTokens = refreshTokens;
    this.revocations = revocations;
    this.refreshTtlSeconds = config.auth().refreshTokenTtl().toSeconds();
    this.maxSessions = config.auth().maxSessionsPerUser();
  }

  /** A new session and its first refresh token, inside the caller's transaction. */
  public record NewSession(UUID userId, UUID sessionId, String refreshToken, List<UUID> endedSessions) {
  }

  public Future<NewSession> startSession(SqlConnection conn, UUID userId, String deviceName, RequestInfo request) {
    String refresh = refreshTokens.generate();
    return SessionRepository.insertSession(conn, userId, deviceName, request, refreshTtlSeconds)
        .compose(sessionId -> SessionRepository.insertToken(conn, sessionId, RefreshTokens.hash(refresh), null, refreshTtlSeconds)
            .compose(v -> SessionRepository.trimSessions(conn, userId, maxSessions))
            .map(ended -> new NewSession(userId, sessionId, refresh, ended)));
  }

  /** A fresh first token for an existing session (after its live tokens were retired). */
  public Future<String> startRefreshToken(SqlConnection conn, UUID sessionId) {
    String refresh = refreshTokens.generate();
    return SessionRepository.insertToken(conn, sessionId, RefreshTokens.hash(refresh), null, refreshTtlSeconds).map(refresh);
  }

  /** Mints the access token for a session, clearing any not-before stamp, and pairs it with the refresh token. */
  public Future<TokenPair> pair(UUID userId, UUID sessionId, String refreshToken) {
    return revocations.issueTime(userId).map(iat -> pairAt(userId, sessionId, refreshToken, iat));
  }

  public TokenPair pairAt(UUID userId, UUID sessionId, String refreshToken, long issuedAt) {
    AccessTokens.Minted access = accessTokens.mint(userId, sessionId, issuedAt);
    return new TokenPair(access.token(), access.expiresIn(), refreshToken, refreshTtlSeconds, sessionId);
  }

  /** Sessions ended to make room: their access tokens stop too (best effort; they expire in minutes anyway). */
  public void revokeEnded(NewSession session) {
    for (UUID ended : session.endedSessions()) {
      revocations.revokeSession(session.userId(), ended);
    }
  }
}
