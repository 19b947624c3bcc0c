package dev.bulwark.config;

import java.time.Duration;

/**
 * How long auth data is kept once it is of no further use, and how the periodic purge paces itself:
 * audit events by age; sessions once ended (revoked or expired) for this long, their refresh tokens
 * with them; refresh tokens once consumed (and expired) for this long. A zero age keeps that kind
 * forever.
 */
public record RetentionConfig(
    Duration auditEvents,
    Duration sessions,
    Duration refreshTokens,
    Duration interval,
    int batchSize,
    Duration batchPause,
    Duration emailTokens) {

  static RetentionConfig read(ConfigReader r) {
    Duration tenYears = Duration.ofDays(3650);
    return new RetentionConfig(
        r.duration("retention.auditEvents", Duration.ofDays(365), Duration.ZERO, tenYears),
        r.duration("retention.sessions", Duration.ofDays(30), Duration.ZERO, tenYears),
        r.duration("retention.refreshTokens", Duration.ofDays(30), Duration.ZERO, tenYears),
        r.duration(
            "retention.interval", Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofDays(1)),
        r.intIn("retention.batchSize", 500, 1, 10_000),
        r.duration(
            "retention.batchPause", Duration.ofMillis(100), Duration.ZERO, Duration.ofSeconds(10)),
        r.duration("retention.emailTokens", Duration.ofDays(7), Duration.ZERO, tenYears));
  }
}
