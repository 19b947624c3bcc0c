package dev.bulwark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.RetentionConfig;
import dev.bulwark.infra.Migrations;
import dev.bulwark.infra.PostgresPool;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The retention purge against real PostgreSQL: old rows go, in small batches; everything still of
 * use stays.
 */
class AuthRetentionTest {
  private static Vertx vertx;
  private static String db;
  private static Pool pg;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    db = TestServices.get().freshDatabaseUrl();
    var config =
        Await.result(
            new ConfigLoader(vertx, Path.of("conf")).load(Map.of("DATABASE_URL", db), Map.of()));
    Await.result(Migrations.migrate(vertx, config.database().url()));
    pg = PostgresPool.create(vertx, config.database());
  }

  @AfterAll
  static void stop() {
    Await.result(pg.close());
    Await.result(vertx.close());
  }

  /**
   * One user with: an old revoked session (with a token), an old expired session, a recently
   * revoked one and a long-lived active one; on the active one, tokens consumed long ago (expired,
   * and — hypothetically — not yet), recently consumed, and live; audit events from 400 and 10 days
   * ago.
   */
  @BeforeEach
  void fixtures() throws Exception {
    sql(
        """
        TRUNCATE users, sessions, refresh_tokens, audit_events, email_tokens CASCADE;
        INSERT INTO users (id, email, password_hash) VALUES ('00000000-0000-0000-0000-000000000001', 'r@example.com', 'x');
        INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) VALUES
          ('\\xe1', '00000000-0000-0000-0000-000000000001', 'reset_password', 'r@example.com', now() - interval '8 days'),
          ('\\xe2', '00000000-0000-0000-0000-000000000001', 'verify_email', 'r@example.com', now() - interval '1 day');
        INSERT INTO sessions (id, user_id, created_at, expires_at, revoked_at) VALUES
          ('00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-000000000001', now() - interval '90 days', now() + interval '5 days', now() - interval '40 days'),
          ('00000000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-000000000001', now() - interval '90 days', now() - interval '40 days', NULL),
          ('00000000-0000-0000-0000-0000000000a3', '00000000-0000-0000-0000-000000000001', now() - interval '90 days', now() + interval '5 days', now() - interval '5 days'),
          ('00000000-0000-0000-0000-0000000000a4', '00000000-0000-0000-0000-000000000001', now() - interval '400 days', now() + interval '30 days', NULL);
        INSERT INTO refresh_tokens (id, session_id, token_hash, parent_id, created_at, expires_at, consumed_at) VALUES
          ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', '\\x01', NULL, now() - interval '50 days', now() - interval '20 days', NULL),
          ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000a4', '\\x02', NULL, now() - interval '60 days', now() - interval '30 days', now() - interval '40 days'),
          ('00000000-0000-0000-0000-0000000000b3', '00000000-0000-0000-0000-0000000000a4', '\\x03', '00000000-0000-0000-0000-0000000000b2', now() - interval '40 days', now() - interval '10 days', now() - interval '35 days'),
          ('00000000-0000-0000-0000-0000000000b4', '00000000-0000-0000-0000-0000000000a4', '\\x04', '00000000-0000-0000-0000-0000000000b3', now() - interval '35 days', now() + interval '1 day', now() - interval '31 days'),
          ('00000000-0000-0000-0000-0000000000b5', '00000000-0000-0000-0000-0000000000a4', '\\x05', '00000000-0000-0000-0000-0000000000b4', now() - interval '31 days', now() + interval '1 day', now() - interval '2 days'),
          ('00000000-0000-0000-0000-0000000000b6', '00000000-0000-0000-0000-0000000000a4', '\\x06', '00000000-0000-0000-0000-0000000000b5', now() - interval '2 days', now() + interval '28 days', NULL);
        INSERT INTO audit_events (occurred_at, event_type) SELECT now() - interval '400 days', 'login' FROM generate_series(1, 5);
        INSERT INTO audit_events (occurred_at, event_type) VALUES (now() - interval '10 days', 'login');
        """);
  }

  private static RetentionConfig retention(Duration audit, Duration sessions, Duration tokens) {
    return new RetentionConfig(
        audit, sessions, tokens, Duration.ofHours(1), 2, Duration.ofMillis(1), Duration.ofDays(7));
  }

  @Test
  void oneRunPurgesWhatIsPastItsRetentionInSmallBatches() throws Exception {
    AuthRetention purge =
        new AuthRetention(
            vertx, pg, retention(Duration.ofDays(365), Duration.ofDays(30), Duration.ofDays(30)));
    AuthRetention.Purged purged = Await.result(purge.runOnce());

    assertEquals(
        new AuthRetention.Purged(2, 2, 5),
        purged,
        "b2, b3; a1 (with b1), a2; five old events, batches of 2");
    assertEquals(List.of("a3", "a4"), ids("SELECT id FROM sessions ORDER BY id"));
    assertEquals(
        List.of("b4", "b5", "b6"),
        ids("SELECT id FROM refresh_tokens ORDER BY id"),
        "b4 was consumed long ago but has not expired: its reuse must still be detected");
    assertEquals(
        List.of("null"),
        strings(
            "SELECT coalesce(parent_id::text, 'null') FROM refresh_tokens WHERE id::text LIKE '%b4'"),
        "a purged parent leaves its child in place");
    assertEquals(List.of("1"), strings("SELECT count(*) FROM audit_events"));
    assertEquals(
        List.of("\\xe2"),
        strings("SELECT token_hash::text FROM email_tokens"),
        "an email token expired 8 days ago goes, one expired yesterday stays");

    assertEquals(
        new AuthRetention.Purged(0, 0, 0), Await.result(purge.runOnce()), "nothing left to purge");
  }

  @Test
  void aZeroAgeKeepsThatKindForever() throws Exception {
    AuthRetention keepAll =
        new AuthRetention(vertx, pg, retention(Duration.ZERO, Duration.ZERO, Duration.ZERO));
    assertEquals(new AuthRetention.Purged(0, 0, 0), Await.result(keepAll.runOnce()));
    assertEquals(List.of("6"), strings("SELECT count(*) FROM audit_events"));

    AuthRetention auditOnly =
        new AuthRetention(vertx, pg, retention(Duration.ofDays(30), Duration.ZERO, Duration.ZERO));
    assertEquals(new AuthRetention.Purged(0, 0, 5), Await.result(auditOnly.runOnce()));
  }

  @Test
  void theDefaultsComeFromConfiguration() {
    RetentionConfig r =
        Await.result(new ConfigLoader(vertx, Path.of("conf")).load(Map.of(), Map.of())).retention();
    assertEquals(
        new RetentionConfig(
            Duration.ofDays(365),
            Duration.ofDays(30),
            Duration.ofDays(30),
            Duration.ofHours(1),
            500,
            Duration.ofMillis(100),
            Duration.ofDays(7)),
        r);
    RetentionConfig set =
        Await.result(
                new ConfigLoader(vertx, Path.of("conf"))
                    .load(
                        Map.of(),
                        Map.of(
                            "retention.auditEvents",
                            "90d",
                            "retention.sessions",
                            "0",
                            "retention.batchSize",
                            "50")))
            .retention();
    assertEquals(Duration.ofDays(90), set.auditEvents());
    assertEquals(Duration.ZERO, set.sessions());
    assertEquals(50, set.batchSize());
  }

  @Test
  void eachBatchFindsItsRowsByIndexNotByScanningTheTable() throws Exception {
    Map<String, String> indexFor =
        Map.of(
            AuthRetention.PURGE_REFRESH_TOKENS,
            "refresh_tokens_consumed_idx",
            AuthRetention.PURGE_SESSIONS,
            "sessions_ended_idx",
            AuthRetention.PURGE_AUDIT_EVENTS,
            "audit_events_occurred_idx",
            AuthRetention.PURGE_EMAIL_TOKENS,
            "email_tokens_expires_idx");
    try (Connection c = TestServices.get().jdbc(db);
        Statement s = c.createStatement()) {
      s.execute("SET enable_seqscan = off");
      for (var e : indexFor.entrySet()) {
        s.execute("DEALLOCATE ALL");
        s.execute("PREPARE purge(bigint, int) AS " + e.getKey());
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE purge(2592000, 500)")) {
          while (rs.next()) {
            plan.append(rs.getString(1)).append('\n');
          }
        }
        assertTrue(
            plan.toString().contains(" " + e.getValue()) && !plan.toString().contains("Seq Scan"),
            plan::toString);
      }
    }
  }

  private static void sql(String script) throws Exception {
    try (Connection c = TestServices.get().jdbc(db);
        Statement s = c.createStatement()) {
      s.execute(script);
    }
  }

  private static List<String> strings(String query) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = TestServices.get().jdbc(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** The fixture ids' last two characters (a1, b2, ...). */
  private static List<String> ids(String query) throws Exception {
    return strings(query).stream().map(id -> id.substring(id.length() - 2)).toList();
  }
}
