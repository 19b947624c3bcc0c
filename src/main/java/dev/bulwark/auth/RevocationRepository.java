package dev.bulwark.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * SQL for revocation as PostgreSQL records it: the fallback check, the repair of Redis, and refresh
 * families.
 */
public final class RevocationRepository {
  private static final String ACCESS_REVOKED =
      """
      SELECT revoked_at IS NOT NULL OR coalesce(access_not_before > $3, false) AS revoked
      FROM sessions WHERE id = $1 AND user_id = $2""";
  private static final String STAMP_ACCESS_NOT_BEFORE =
      "UPDATE sessions SET access_not_before = greatest(access_not_before, $2) WHERE id = $1";
  private static final String STAMP_USER_NOT_BEFORE =
      """
      UPDATE sessions SET access_not_before = greatest(access_not_before, $2)
      WHERE user_id = $1 AND revoked_at IS NULL""";
  private static final String RECENT =
      """
      SELECT id, user_id, revoked_at IS NOT NULL AS revoked, access_not_before FROM sessions
      WHERE revoked_at > now() - make_interval(secs => $1) OR access_not_before > $2
      LIMIT $3""";
  private static final String FAMILY =
      """
      SELECT s.id, s.user_id FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id
      WHERE t.token_hash = $1""";

  /**
   * A session whose revocation may still matter: ended, or with a not-before stamp on its access
   * tokens.
   */
  public record Revoked(UUID sessionId, UUID userId, boolean ended, Long accessNotBefore) {}

  /** A refresh token's family: its session and user. */
  public record Family(UUID sessionId, UUID userId) {}

  private RevocationRepository() {}

  /**
   * Whether an access token (its session, user and {@code iat}) is revoked; an unknown session
   * counts as revoked.
   */
  public static Future<Boolean> isAccessRevoked(
      SqlClient sql, UUID sessionId, UUID userId, long issuedAt) {
    return sql.preparedQuery(ACCESS_REVOKED)
        .execute(Tuple.of(sessionId, userId, issuedAt))
        .map(rows -> !rows.iterator().hasNext() || rows.iterator().next().getBoolean("revoked"));
  }

  /** Access tokens of this session issued before {@code stamp} (epoch seconds) are revoked. */
  public static Future<Void> stampAccessNotBefore(SqlClient sql, UUID sessionId, long stamp) {
    return sql.preparedQuery(STAMP_ACCESS_NOT_BEFORE)
        .execute(Tuple.of(sessionId, stamp))
        .mapEmpty();
  }

  /**
   * Access tokens of every live session of this user issued before {@code stamp} are revoked (a
   * role change: the sessions live on, their next refresh carries the new role).
   */
  public static Future<Void> stampUserNotBefore(SqlClient sql, UUID userId, long stamp) {
    return sql.preparedQuery(STAMP_USER_NOT_BEFORE).execute(Tuple.of(userId, stamp)).mapEmpty();
  }

  /**
   * Sessions ended within the last {@code windowSeconds}, or whose not-before stamp is later than
   * {@code sinceEpoch}, at most {@code limit} of them.
   */
  public static Future<List<Revoked>> recent(
      SqlClient sql, long windowSeconds, long sinceEpoch, int limit) {
    return sql.preparedQuery(RECENT)
        .execute(Tuple.of(windowSeconds, sinceEpoch, limit))
        .map(
            rows -> {
              List<Revoked> out = new ArrayList<>(rows.size());
              for (Row r : rows) {
                out.add(
                    new Revoked(
                        r.getUUID("id"),
                        r.getUUID("user_id"),
                        r.getBoolean("revoked"),
                        r.getLong("access_not_before")));
              }
              return out;
            });
  }

  /** The family of a refresh token (by its hash), or null when no such token exists. */
  public static Future<Family> family(SqlClient sql, byte[] tokenHash) {
    return sql.preparedQuery(FAMILY)
        .execute(Tuple.of(Buffer.buffer(tokenHash)))
        .map(
            rows -> {
              if (!rows.iterator().hasNext()) {
                return null;
              }
              Row r = rows.iterator().next();
              return new Family(r.getUUID("id"), r.getUUID("user_id"));
            });
  }
}
