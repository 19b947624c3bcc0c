package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.infra.Migrations;
import dev.bulwark.infra.PostgresPool;
import dev.bulwark.infra.RedisConnector;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions end: idle past the refresh-token lifetime, and in any case at {@code auth.sessionMaxAge}
 * after they began, however often they are refreshed. Rotation runs for real against PostgreSQL and
 * Redis; only the clock that dates sessions and tokens is moved, through the constructors.
 */
class SessionLifetimeTest {
  private static final Duration DAY = Duration.ofDays(1);
  private static final RequestInfo REQUEST =
      new RequestInfo("203.0.113.7", "lifetime-test", "0".repeat(32));

  private final Vertx vertx = Vertx.vertx();
  private final MovableClock clock = new MovableClock(Instant.parse("2031-01-01T00:00:00Z"));
  private Pool pg;
  private Redis redis;
  private TokenIssuer issuer;
  private RefreshRotation rotation;

  /** A clock the test moves; everything else runs as in production. */
  static final class MovableClock extends Clock {
    private volatile Instant now;

    MovableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  private void wire(Map<String, String> props) {
    BulwarkConfig config =
        Await.result(new ConfigLoader(vertx, Path.of("conf")).load(TestServer.baseEnv(), props));
    Await.result(Migrations.migrate(vertx, config.database().url()));
    pg = PostgresPool.create(vertx, config.database());
    redis = RedisConnector.create(vertx, config.redis());
    RefreshTokens refreshTokens = new RefreshTokens(config.jwt().secret());
    issuer =
        new TokenIssuer(
            new AccessTokens(vertx, config.jwt()),
            refreshTokens,
            new Revocations(redis, pg, config),
            config,
            clock);
    rotation =
        new RefreshRotation(
            pg,
            refreshTokens,
            SessionLifetime.of(config.auth()),
            config.auth().refreshReuseGrace().toSeconds(),
            clock);
  }

  @AfterEach
  void close() {
    if (pg != null) {
      Await.result(pg.close());
    }
    if (redis != null) {
      redis.close();
    }
    Await.result(vertx.close());
  }

  private TokenIssuer.NewSession newSession() {
    UUID userId =
        Await.result(
                pg.preparedQuery(
                        "INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id")
                    .execute(Tuple.of(TestUsers.uniqueEmail())))
            .iterator()
            .next()
            .getUUID("id");
    return Await.result(
        pg.withTransaction(conn -> issuer.startSession(conn, userId, "phone", REQUEST)));
  }

  private RefreshRotation.Rotated rotated(String token) {
    return assertInstanceOf(
        RefreshRotation.Rotated.class, Await.result(rotation.rotate(token, REQUEST)));
  }

  private String refused(String token) {
    return assertInstanceOf(
            RefreshRotation.Refused.class, Await.result(rotation.rotate(token, REQUEST)))
        .code();
  }

  private OffsetDateTime sessionExpiry(UUID sessionId) {
    return Await.result(
            pg.preparedQuery("SELECT expires_at FROM sessions WHERE id = $1")
                .execute(Tuple.of(sessionId)))
        .iterator()
        .next()
        .getOffsetDateTime("expires_at");
  }

  @Test
  void refreshingKeepsASessionAliveOnlyUntilItsMaximumAge() {
    wire(Map.of()); // defaults: 30 days idle, 90 days at most
    Instant start = clock.instant();
    TokenIssuer.NewSession s = newSession();
    assertEquals(DAY.multipliedBy(30).toSeconds(), s.refreshExpiresIn());

    String token = s.refreshToken();
    for (int day : new int[] {25, 50, 75}) {
      clock.advance(DAY.multipliedBy(25));
      RefreshRotation.Rotated r = rotated(token);
      token = r.refreshToken();
      long leftInSession =
          Duration.between(clock.instant(), start.plus(DAY.multipliedBy(90))).toSeconds();
      assertEquals(
          Math.min(DAY.multipliedBy(30).toSeconds(), leftInSession),
          r.refreshExpiresIn(),
          "day " + day);
    }
    assertEquals(
        start.plus(DAY.multipliedBy(90)),
        sessionExpiry(s.sessionId()).toInstant(),
        "the session's expiry stops at its maximum age");

    clock.advance(DAY.multipliedBy(15).minusSeconds(1)); // day 90 less a second: still live
    token = rotated(token).refreshToken();
    clock.advance(Duration.ofSeconds(1)); // day 90
    assertEquals("session_expired", refused(token), "refreshed every 25 days, still ended at 90");
  }

  @Test
  void anIdleSessionEndsWhenItsRefreshTokenExpires() {
    wire(Map.of());
    TokenIssuer.NewSession s = newSession();
    clock.advance(DAY.multipliedBy(29));
    String child = rotated(s.refreshToken()).refreshToken();
    TokenIssuer.NewSession other = newSession();

    clock.advance(DAY.multipliedBy(30).minusSeconds(1));
    rotated(child); // used just in time
    clock.advance(Duration.ofSeconds(1));
    assertEquals("refresh_token_expired", refused(other.refreshToken()), "30 days unused");
  }

  @Test
  void aMaximumAgeShorterThanTheIdleLifetimeBoundsTheFirstToken() {
    wire(Map.of("auth.sessionMaxAge", "1h"));
    TokenIssuer.NewSession s = newSession();
    assertEquals(3600, s.refreshExpiresIn());
    clock.advance(Duration.ofMinutes(59));
    RefreshRotation.Rotated r = rotated(s.refreshToken());
    assertEquals(60, r.refreshExpiresIn());
    clock.advance(Duration.ofMinutes(1));
    assertEquals("session_expired", refused(r.refreshToken()));
  }

  // ---- over HTTP: what a client sees
  // -----------------------------------------------------------------------------

  @Test
  void aSessionPastItsMaximumAgeIsRefusedWithSessionExpired() throws Exception {
    try (TestServer server = TestServer.start()) {
      TestUser u = TestUsers.signup(server);
      HttpResponse<Buffer> ok = RefreshRotationTest.refresh(server, u.refreshToken());
      assertEquals(200, ok.statusCode(), ok.bodyAsString());
      try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
          PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE sessions SET created_at = now() - interval '90 days 1 second' WHERE id = ?")) {
        ps.setObject(1, u.sessionId());
        assertEquals(1, ps.executeUpdate());
      }
      JsonObject problem =
          assertProblem(
              RefreshRotationTest.refresh(server, ok.bodyAsJsonObject().getString("refresh_token")),
              401,
              "session_expired");
      assertEquals(
          "The session has reached its maximum age; sign in again.", problem.getString("detail"));
    }
  }

  @Test
  void refreshExpiresInTellsTheClientWhenTheSessionEnds() {
    try (TestServer server =
        TestServer.start(TestServer.baseEnv(), Map.of("auth.sessionMaxAge", "2h"))) {
      TestUser u = TestUsers.signup(server);
      HttpResponse<Buffer> login =
          server.send(
              server.request(HttpMethod.POST, "/api/v1/auth/login"),
              new JsonObject().put("email", u.email()).put("password", u.password()));
      assertEquals(7200, login.bodyAsJsonObject().getLong("refresh_expires_in"));
      long rotated =
          RefreshRotationTest.refresh(server, u.refreshToken())
              .bodyAsJsonObject()
              .getLong("refresh_expires_in");
      assertEquals(7200, rotated, 2.0, "no more than what is left of the session's two hours");
    }
  }
}
