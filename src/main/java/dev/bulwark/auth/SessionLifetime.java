package dev.bulwark.auth;

import dev.bulwark.config.AuthConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * How long a session lives: {@code idle} after its last refresh (the refresh-token lifetime,
 * renewed by each rotation) but never past {@code maxAge} after it began, however often it is
 * refreshed. Every refresh token and session expiry written is the earlier of the two, so what
 * clients are told ({@code refresh_expires_in}) and what the session list shows are true to the
 * second.
 */
public record SessionLifetime(Duration idle, Duration maxAge) {

  public static SessionLifetime of(AuthConfig config) {
    return new SessionLifetime(config.refreshTokenTtl(), config.sessionMaxAge());
  }

  long idleSeconds() {
    return idle.toSeconds();
  }

  long maxAgeSeconds() {
    return maxAge.toSeconds();
  }

  /** The expiry of a session that begins at {@code now}. */
  OffsetDateTime firstExpiry(Instant now) {
    return at(now.plus(idle.compareTo(maxAge) <= 0 ? idle : maxAge));
  }

  /**
   * The clock's now at PostgreSQL's precision, so an expiry read back is exactly the one computed.
   */
  static Instant now(Clock clock) {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  static OffsetDateTime at(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /** Whole seconds from {@code now} until {@code expiry}, never negative. */
  static long secondsUntil(OffsetDateTime expiry, Instant now) {
    return Math.max(0, Duration.between(now, expiry.toInstant()).toSeconds());
  }
}
