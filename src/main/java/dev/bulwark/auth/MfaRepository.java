package dev.bulwark.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL for second factors, recovery codes, login challenges and the second factor's brake. */
final class MfaRepository {
  private static final String LOCK_USER = "SELECT 1 FROM users WHERE id = $1 FOR UPDATE";
  private static final String PURGE_PENDING =
      "DELETE FROM mfa_factors WHERE user_id = $1 AND activated_at IS NULL AND pending_until <= $2";
  private static final String COUNT_FACTORS = "SELECT count(*) FROM mfa_factors WHERE user_id = $1";
  private static final String INSERT_FACTOR =
      """
      INSERT INTO mfa_factors (id, user_id, key_id, secret_sealed, pending_until, created_at)
      VALUES ($1, $2, $3, $4, $5, $6)""";
  private static final String FACTOR =
      """
      SELECT id, key_id, secret_sealed, last_used_step, activated_at IS NOT NULL AS active,
             pending_until IS NOT NULL AND pending_until <= $3 AS expired
      FROM mfa_factors WHERE id = $1 AND user_id = $2""";
  private static final String ACTIVE_FACTORS =
      """
      SELECT id, key_id, secret_sealed, last_used_step, true AS active, false AS expired
      FROM mfa_factors WHERE user_id = $1 AND activated_at IS NOT NULL ORDER BY created_at""";

  /** The compare-and-set that makes a code single-use: only a newer step moves the marker. */
  private static final String USE_STEP =
      """
      UPDATE mfa_factors SET last_used_step = $2, last_used_at = $3
      WHERE id = $1 AND last_used_step < $2 RETURNING id""";

  private static final String ACTIVATE =
      """
      UPDATE mfa_factors SET activated_at = $2, pending_until = NULL
      WHERE id = $1 AND activated_at IS NULL RETURNING id""";
  private static final String DELETE_FACTOR =
      "DELETE FROM mfa_factors WHERE id = $1 AND user_id = $2 RETURNING id";
  private static final String HAS_ACTIVE =
      "SELECT EXISTS (SELECT 1 FROM mfa_factors WHERE user_id = $1 AND activated_at IS NOT NULL)";
  private static final String LIST =
      """
      SELECT id, kind, created_at, activated_at, last_used_at, pending_until
      FROM mfa_factors WHERE user_id = $1 AND (activated_at IS NOT NULL OR pending_until > $2)
      ORDER BY created_at, id""";
  private static final String RECOVERY_REMAINING =
      "SELECT count(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL";
  private static final String DELETE_RECOVERY = "DELETE FROM mfa_recovery_codes WHERE user_id = $1";
  private static final String INSERT_RECOVERY =
      "INSERT INTO mfa_recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])";

  /** Single use under concurrency: the one UPDATE that finds the code unused takes it. */
  private static final String USE_RECOVERY =
      """
      UPDATE mfa_recovery_codes SET used_at = $3
      WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING user_id""";

  private static final String INSERT_CHALLENGE =
      """
      WITH purged AS (DELETE FROM mfa_challenges WHERE user_id = $2 AND expires_at <= $4)
      INSERT INTO mfa_challenges (token_hash, user_id, device_name, created_at, expires_at, first_factor)
      VALUES ($1, $2, $3, $4, $5, $6)""";

  /** Every presentation of a live challenge counts an attempt, in the statement that reads it. */
  private static final String ATTEMPT_CHALLENGE =
      """
      UPDATE mfa_challenges SET attempts = attempts + 1
      WHERE token_hash = $1 AND consumed_at IS NULL
      RETURNING user_id, device_name, attempts, expires_at <= $2 AS expired, first_factor""";

  private static final String CONSUME_CHALLENGE =
      """
      UPDATE mfa_challenges SET consumed_at = $2
      WHERE token_hash = $1 AND consumed_at IS NULL RETURNING user_id""";
  private static final String RECENT_FAILURES =
      "SELECT count(*) FROM mfa_failures WHERE user_id = $1 AND failed_at > $2";

  /** Records a failure, prunes those out of the window, and answers the count within it. */
  private static final String RECORD_FAILURE =
      """
      WITH pruned AS (DELETE FROM mfa_failures WHERE user_id = $1 AND failed_at <= $3),
           added AS (INSERT INTO mfa_failures (user_id, failed_at) VALUES ($1, $2))
      SELECT count(*) + 1 FROM mfa_failures WHERE user_id = $1 AND failed_at > $3""";

  private static final String LOCK_FAILURES =
      "SELECT pg_advisory_xact_lock(hashtextextended('mfa_failures:' || $1, 0))";
  private static final String EMAIL = "SELECT email FROM users WHERE id = $1";
  private static final String RAISE_SESSION =
      """
      UPDATE sessions SET aal = $3, amr = $4, enrolment_only = false
      WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL RETURNING id""";
  private static final String SESSION_ASSURANCE =
      "SELECT aal, amr, enrolment_only FROM sessions WHERE id = $1";

  private MfaRepository() {}

  /** A stored factor: its sealed secret, the newest step used, and its state. */
  record Factor(
      UUID id,
      String keyId,
      byte[] sealedSecret,
      long lastUsedStep,
      boolean active,
      boolean expired) {
    static Factor from(Row r) {
      return new Factor(
          r.getUUID(0),
          r.getString(1),
          r.getBuffer(2).getBytes(),
          r.getLong(3),
          r.getBoolean(4),
          r.getBoolean(5));
    }
  }

  /** What the factor list shows. */
  record FactorView(
      UUID id,
      String kind,
      OffsetDateTime createdAt,
      OffsetDateTime activatedAt,
      OffsetDateTime lastUsedAt,
      OffsetDateTime pendingUntil) {}

  /** A live challenge as the attempt counted it. */
  record Challenge(
      UUID userId, String deviceName, int attempts, boolean expired, String firstFactor) {}

  static Future<Void> lockUser(SqlClient sql, UUID userId) {
    return sql.preparedQuery(LOCK_USER).execute(Tuple.of(userId)).mapEmpty();
  }

  /** Purges this user's expired pending factors; answers how many factors remain. */
  static Future<Long> purgeAndCount(SqlClient sql, UUID userId, OffsetDateTime now) {
    return sql.preparedQuery(PURGE_PENDING)
        .execute(Tuple.of(userId, now))
        .compose(v -> sql.preparedQuery(COUNT_FACTORS).execute(Tuple.of(userId)))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  static Future<Void> insertFactor(
      SqlClient sql,
      UUID id,
      UUID userId,
      MfaSecrets.Sealed sealed,
      OffsetDateTime pendingUntil,
      OffsetDateTime now) {
    return sql.preparedQuery(INSERT_FACTOR)
        .execute(
            Tuple.of(id, userId, sealed.keyId(), Buffer.buffer(sealed.bytes()), pendingUntil, now))
        .mapEmpty();
  }

  static Future<Factor> factor(SqlClient sql, UUID id, UUID userId, OffsetDateTime now) {
    return sql.preparedQuery(FACTOR)
        .execute(Tuple.of(id, userId, now))
        .map(rows -> rows.iterator().hasNext() ? Factor.from(rows.iterator().next()) : null);
  }

  static Future<List<Factor>> activeFactors(SqlClient sql, UUID userId) {
    return sql.preparedQuery(ACTIVE_FACTORS)
        .execute(Tuple.of(userId))
        .map(
            rows -> {
              List<Factor> out = new ArrayList<>();
              for (Row r : rows) {
                out.add(Factor.from(r));
              }
              return out;
            });
  }

  /** True when {@code step} was newer than any step this factor accepted before (and now is). */
  static Future<Boolean> useStep(SqlClient sql, UUID factorId, long step, OffsetDateTime now) {
    return sql.preparedQuery(USE_STEP)
        .execute(Tuple.of(factorId, step, now))
        .map(rows -> rows.rowCount() == 1);
  }

  static Future<Boolean> activate(SqlClient sql, UUID factorId, OffsetDateTime now) {
    return sql.preparedQuery(ACTIVATE)
        .execute(Tuple.of(factorId, now))
        .map(rows -> rows.rowCount() == 1);
  }

  static Future<Boolean> deleteFactor(SqlClient sql, UUID factorId, UUID userId) {
    return sql.preparedQuery(DELETE_FACTOR)
        .execute(Tuple.of(factorId, userId))
        .map(rows -> rows.rowCount() == 1);
  }

  static Future<Boolean> hasActiveFactor(SqlClient sql, UUID userId) {
    return sql.preparedQuery(HAS_ACTIVE)
        .execute(Tuple.of(userId))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  static Future<List<FactorView>> list(SqlClient sql, UUID userId, OffsetDateTime now) {
    return sql.preparedQuery(LIST)
        .execute(Tuple.of(userId, now))
        .map(
            rows -> {
              List<FactorView> out = new ArrayList<>();
              for (Row r : rows) {
                out.add(
                    new FactorView(
                        r.getUUID(0),
                        r.getString(1),
                        r.getOffsetDateTime(2),
                        r.getOffsetDateTime(3),
                        r.getOffsetDateTime(4),
                        r.getOffsetDateTime(5)));
              }
              return out;
            });
  }

  static Future<Long> recoveryRemaining(SqlClient sql, UUID userId) {
    return sql.preparedQuery(RECOVERY_REMAINING)
        .execute(Tuple.of(userId))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Replaces the user's recovery codes with these hashes (none: the set is removed). */
  static Future<Void> replaceRecoveryCodes(SqlClient sql, UUID userId, List<byte[]> hashes) {
    Future<RowSet<Row>> deleted = sql.preparedQuery(DELETE_RECOVERY).execute(Tuple.of(userId));
    if (hashes.isEmpty()) {
      return deleted.mapEmpty();
    }
    Buffer[] values = hashes.stream().map(Buffer::buffer).toArray(Buffer[]::new);
    return deleted
        .compose(
            v ->
                sql.preparedQuery(INSERT_RECOVERY)
                    .execute(Tuple.tuple().addUUID(userId).addArrayOfBuffer(values)))
        .mapEmpty();
  }

  static Future<Boolean> useRecoveryCode(
      SqlClient sql, UUID userId, byte[] hash, OffsetDateTime now) {
    return sql.preparedQuery(USE_RECOVERY)
        .execute(Tuple.of(userId, Buffer.buffer(hash), now))
        .map(rows -> rows.rowCount() == 1);
  }

  static Future<Void> insertChallenge(
      SqlClient sql,
      byte[] tokenHash,
      UUID userId,
      String deviceName,
      OffsetDateTime now,
      OffsetDateTime expiresAt,
      String firstFactor) {
    return sql.preparedQuery(INSERT_CHALLENGE)
        .execute(
            Tuple.of(Buffer.buffer(tokenHash), userId, deviceName, now, expiresAt, firstFactor))
        .mapEmpty();
  }

  /** Counts an attempt on the challenge; null when it is unknown or already used. */
  static Future<Challenge> attemptChallenge(SqlClient sql, byte[] tokenHash, OffsetDateTime now) {
    return sql.preparedQuery(ATTEMPT_CHALLENGE)
        .execute(Tuple.of(Buffer.buffer(tokenHash), now))
        .map(
            rows -> {
              if (!rows.iterator().hasNext()) {
                return null;
              }
              Row r = rows.iterator().next();
              return new Challenge(
                  r.getUUID(0), r.getString(1), r.getInteger(2), r.getBoolean(3), r.getString(4));
            });
  }

  static Future<Boolean> consumeChallenge(SqlClient sql, byte[] tokenHash, OffsetDateTime now) {
    return sql.preparedQuery(CONSUME_CHALLENGE)
        .execute(Tuple.of(Buffer.buffer(tokenHash), now))
        .map(rows -> rows.rowCount() == 1);
  }

  static Future<Long> recentFailures(SqlClient sql, UUID userId, OffsetDateTime since) {
    return sql.preparedQuery(RECENT_FAILURES)
        .execute(Tuple.of(userId, since))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Records a failure at {@code now}; answers the failures since {@code since}, this one too. */
  /**
   * Records a failed second factor and answers how many the user has within the window, this one
   * included. Failures of one user are counted one at a time (a transaction-scoped advisory lock on
   * the user): each statement then sees every earlier failure committed, so concurrent failures get
   * distinct counts and exactly one of them is the tenth. Counted without it, two concurrent
   * failures could both read 9 committed rows, and no request would be the tenth.
   */
  static Future<Long> recordFailure(
      Pool pg, UUID userId, OffsetDateTime now, OffsetDateTime since) {
    return pg.withTransaction(
        conn ->
            conn.preparedQuery(LOCK_FAILURES)
                .execute(Tuple.of(userId.toString()))
                .compose(
                    locked ->
                        conn.preparedQuery(RECORD_FAILURE).execute(Tuple.of(userId, now, since)))
                .map(rows -> rows.iterator().next().getLong(0)));
  }

  static Future<String> email(SqlClient sql, UUID userId) {
    return sql.preparedQuery(EMAIL)
        .execute(Tuple.of(userId))
        .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getString(0) : null);
  }

  /** Raises a live session of the user to {@code assurance}; false when it has ended. */
  static Future<Boolean> raiseSession(
      SqlClient sql, UUID sessionId, UUID userId, Assurance assurance) {
    return sql.preparedQuery(RAISE_SESSION)
        .execute(Tuple.of(sessionId, userId, (short) assurance.aal(), assurance.amrArray()))
        .map(rows -> rows.rowCount() == 1);
  }

  static Future<Assurance> sessionAssurance(SqlClient sql, UUID sessionId) {
    return sql.preparedQuery(SESSION_ASSURANCE)
        .execute(Tuple.of(sessionId))
        .map(
            rows ->
                rows.iterator().hasNext()
                    ? Assurance.of(rows.iterator().next())
                    : Assurance.PASSWORD);
  }
}
