package dev.bulwark.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL for sessions (token families) and their refresh tokens. Session lifetimes are decided against
 * the {@code now} the caller passes (its clock, so tests can move it), never PostgreSQL's; the
 * reuse grace window, a matter of seconds inside one transaction, is PostgreSQL's {@code
 * clock_timestamp()}.
 */
public final class SessionRepository {
  private static final String INSERT_SESSION =
      """
      INSERT INTO sessions (user_id, device_name, user_agent, ip, created_at, last_used_at, expires_at,
                            aal, amr, enrolment_only)
      VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9)
      RETURNING id""";
  private static final String TRIM_SESSIONS =
      """
      UPDATE sessions SET revoked_at = now(), revoke_reason = 'session_limit'
      WHERE id IN (SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL
                   ORDER BY created_at DESC OFFSET $2)
      RETURNING id""";

  /** Idle expiry from now, but never past the session's maximum age. */
  private static final String INSERT_TOKEN =
      """
      INSERT INTO refresh_tokens (session_id, token_hash, parent_id, created_at, expires_at)
      SELECT s.id, $2, $3, $4::timestamptz,
             LEAST($4::timestamptz + make_interval(secs => $5), s.created_at + make_interval(secs => $6))
      FROM sessions s WHERE s.id = $1
      RETURNING expires_at""";

  private static final String LOCK_FAMILY =
      """
      SELECT s.id, s.user_id, s.revoked_at IS NOT NULL AS revoked, s.expires_at <= $2::timestamptz AS expired,
             s.created_at + make_interval(secs => $3) <= $2::timestamptz AS ended,
             s.aal, s.amr, s.enrolment_only
      FROM sessions s
      WHERE s.id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $1)
      FOR UPDATE""";
  private static final String TOKEN =
      """
      SELECT t.id, t.consumed_at IS NOT NULL AS consumed, t.expires_at <= $3::timestamptz AS expired,
             t.consumed_at >= clock_timestamp() - make_interval(secs => $2) AS within_grace, t.child_token_sealed,
             (SELECT c.consumed_at IS NULL FROM refresh_tokens c WHERE c.parent_id = t.id) AS child_active,
             (SELECT c.expires_at FROM refresh_tokens c WHERE c.parent_id = t.id) AS child_expires_at
      FROM refresh_tokens t WHERE t.token_hash = $1""";

  /**
   * {@code clock_timestamp()}, not {@code now()}: the transaction may have waited for the family
   * lock, and the grace window starts when the token is consumed, not when the transaction began.
   */
  private static final String CONSUME =
      """
      UPDATE refresh_tokens SET consumed_at = clock_timestamp(), child_token_sealed = $2
      WHERE id = $1 AND consumed_at IS NULL""";

  private static final String ERASE_SEALS =
      """
      UPDATE refresh_tokens SET child_token_sealed = NULL
      WHERE child_token_sealed IS NOT NULL AND consumed_at < clock_timestamp() - make_interval(secs => $1)""";
  private static final String TOUCH_SESSION =
      """
      UPDATE sessions SET last_used_at = $3::timestamptz, ip = $2,
             expires_at = LEAST($3::timestamptz + make_interval(secs => $4), created_at + make_interval(secs => $5))
      WHERE id = $1""";
  private static final String REVOKE_SESSION =
      """
      UPDATE sessions SET revoked_at = now(), revoke_reason = $3
      WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL
      RETURNING id""";
  private static final String REVOKE_ALL =
      """
      UPDATE sessions SET revoked_at = now(), revoke_reason = $2
      WHERE user_id = $1 AND revoked_at IS NULL
      RETURNING id""";
  private static final String REVOKE_OTHERS =
      """
      UPDATE sessions SET revoked_at = now(), revoke_reason = $3
      WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL
      RETURNING id""";
  private static final String CONSUME_LIVE_TOKENS =
      "UPDATE refresh_tokens SET consumed_at = now() WHERE session_id = $1 AND consumed_at IS NULL";
  private static final String ACTIVE_SESSIONS =
      """
      SELECT id, device_name, user_agent, ip, created_at, last_used_at, expires_at
      FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
      ORDER BY last_used_at DESC, id""";

  /** A live session as its owner sees it. */
  public record SessionView(
      UUID id,
      String deviceName,
      String userAgent,
      String ip,
      OffsetDateTime createdAt,
      OffsetDateTime lastUsedAt,
      OffsetDateTime expiresAt) {
    static SessionView from(Row row) {
      return new SessionView(
          row.getUUID("id"),
          row.getString("device_name"),
          row.getString("user_agent"),
          row.getString("ip"),
          row.getOffsetDateTime("created_at"),
          row.getOffsetDateTime("last_used_at"),
          row.getOffsetDateTime("expires_at"));
    }
  }

  /**
   * The locked session row of a presented refresh token's family: {@code expired} idle past its
   * last refresh, {@code ended} past its maximum age.
   */
  public record Family(
      UUID sessionId,
      UUID userId,
      boolean revoked,
      boolean expired,
      boolean ended,
      Assurance assurance) {}

  /** The presented refresh token, read after the family lock is held. */
  public record PresentedToken(
      UUID id,
      boolean consumed,
      boolean expired,
      boolean withinGrace,
      byte[] sealedChild,
      Boolean childActive,
      OffsetDateTime childExpiresAt) {}

  private SessionRepository() {}

  public static Future<UUID> insertSession(
      SqlClient sql,
      UUID userId,
      String deviceName,
      RequestInfo request,
      Instant now,
      SessionLifetime lifetime,
      Assurance assurance) {
    return sql.preparedQuery(INSERT_SESSION)
        .execute(
            Tuple.of(
                userId,
                deviceName,
                request.userAgent(),
                request.ip(),
                SessionLifetime.at(now),
                lifetime.firstExpiry(now),
                (short) assurance.aal(),
                assurance.amrArray(),
                assurance.enrolmentOnly()))
        .map(rows -> rows.iterator().next().getUUID("id"));
  }

  /** Ends the oldest sessions beyond {@code keep}; returns the ids ended. */
  public static Future<List<UUID>> trimSessions(SqlClient sql, UUID userId, int keep) {
    return sql.preparedQuery(TRIM_SESSIONS)
        .execute(Tuple.of(userId, keep))
        .map(SessionRepository::ids);
  }

  /** Adds a refresh token to a session; its expiry (idle, capped by the session's maximum age). */
  public static Future<OffsetDateTime> insertToken(
      SqlClient sql,
      UUID sessionId,
      byte[] hash,
      UUID parentId,
      Instant now,
      SessionLifetime lifetime) {
    return sql.preparedQuery(INSERT_TOKEN)
        .execute(
            Tuple.of(
                sessionId,
                Buffer.buffer(hash),
                parentId,
                SessionLifetime.at(now),
                lifetime.idleSeconds(),
                lifetime.maxAgeSeconds()))
        .map(rows -> rows.iterator().next().getOffsetDateTime("expires_at"));
  }

  /**
   * Locks the family (session row) of a token, serialising every refresh of that family; null if
   * unknown.
   */
  public static Future<Family> lockFamily(
      SqlClient sql, byte[] tokenHash, Instant now, SessionLifetime lifetime) {
    return sql.preparedQuery(LOCK_FAMILY)
        .execute(
            Tuple.of(Buffer.buffer(tokenHash), SessionLifetime.at(now), lifetime.maxAgeSeconds()))
        .map(
            rows -> {
              if (!rows.iterator().hasNext()) {
                return null;
              }
              Row r = rows.iterator().next();
              return new Family(
                  r.getUUID("id"),
                  r.getUUID("user_id"),
                  r.getBoolean("revoked"),
                  r.getBoolean("expired"),
                  r.getBoolean("ended"),
                  Assurance.of(r));
            });
  }

  public static Future<PresentedToken> presentedToken(
      SqlClient sql, byte[] tokenHash, long graceSeconds, Instant now) {
    return sql.preparedQuery(TOKEN)
        .execute(Tuple.of(Buffer.buffer(tokenHash), graceSeconds, SessionLifetime.at(now)))
        .map(
            rows -> {
              Row r = rows.iterator().next();
              Buffer sealed = r.getBuffer("child_token_sealed");
              return new PresentedToken(
                  r.getUUID("id"),
                  r.getBoolean("consumed"),
                  r.getBoolean("expired"),
                  Boolean.TRUE.equals(r.getBoolean("within_grace")),
                  sealed == null ? null : sealed.getBytes(),
                  r.getBoolean("child_active"),
                  r.getOffsetDateTime("child_expires_at"));
            });
  }

  /**
   * Marks a token used, keeping its sealed child (null: none); false if it was already consumed.
   */
  public static Future<Boolean> consume(SqlClient sql, UUID tokenId, byte[] sealedChild) {
    return sql.preparedQuery(CONSUME)
        .execute(Tuple.of(tokenId, sealedChild == null ? null : Buffer.buffer(sealedChild)))
        .map(rows -> rows.rowCount() == 1);
  }

  /** Erases every sealed child whose grace window has passed; the number erased. */
  public static Future<Integer> eraseSeals(SqlClient sql, long graceSeconds) {
    return sql.preparedQuery(ERASE_SEALS).execute(Tuple.of(graceSeconds)).map(RowSet::rowCount);
  }

  /** A refresh: last used now, idle expiry renewed up to the session's maximum age. */
  public static Future<Void> touchSession(
      SqlClient sql, UUID sessionId, String ip, Instant now, SessionLifetime lifetime) {
    return sql.preparedQuery(TOUCH_SESSION)
        .execute(
            Tuple.of(
                sessionId,
                ip,
                SessionLifetime.at(now),
                lifetime.idleSeconds(),
                lifetime.maxAgeSeconds()))
        .mapEmpty();
  }

  /** Ends one session of a user; false when no such live session belongs to them. */
  public static Future<Boolean> revoke(SqlClient sql, UUID sessionId, UUID userId, String reason) {
    return sql.preparedQuery(REVOKE_SESSION)
        .execute(Tuple.of(sessionId, userId, reason))
        .map(rows -> rows.rowCount() == 1);
  }

  public static Future<List<UUID>> revokeAll(SqlClient sql, UUID userId, String reason) {
    return sql.preparedQuery(REVOKE_ALL)
        .execute(Tuple.of(userId, reason))
        .map(SessionRepository::ids);
  }

  public static Future<List<UUID>> revokeOthers(
      SqlClient sql, UUID userId, UUID keepSessionId, String reason) {
    return sql.preparedQuery(REVOKE_OTHERS)
        .execute(Tuple.of(userId, keepSessionId, reason))
        .map(SessionRepository::ids);
  }

  /** Retires every unused refresh token of a session (before issuing it a fresh one). */
  public static Future<Void> consumeLiveTokens(SqlClient sql, UUID sessionId) {
    return sql.preparedQuery(CONSUME_LIVE_TOKENS).execute(Tuple.of(sessionId)).mapEmpty();
  }

  public static Future<List<SessionView>> activeSessions(SqlClient sql, UUID userId) {
    return sql.preparedQuery(ACTIVE_SESSIONS)
        .execute(Tuple.of(userId))
        .map(
            rows -> {
              List<SessionView> out = new ArrayList<>(rows.size());
              rows.forEach(r -> out.add(SessionView.from(r)));
              return out;
            });
  }

  private static List<UUID> ids(RowSet<Row> rows) {
    List<UUID> out = new ArrayList<>(rows.size());
    rows.forEach(r -> out.add(r.getUUID("id")));
    return out;
  }
}
