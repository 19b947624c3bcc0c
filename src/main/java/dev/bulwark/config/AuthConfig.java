package dev.bulwark.config;

import java.time.Duration;

/** Sessions, refresh-token rotation and the per-account brute-force brake. */
public record AuthConfig(
    Duration refreshTokenTtl,
    Duration refreshReuseGrace,
    int maxSessionsPerUser,
    int lockoutThreshold,
    Duration lockoutWindow,
    Duration lockoutBaseDelay,
    Duration lockoutMaxDelay) {

  static AuthConfig read(ConfigReader r) {
    return new AuthConfig(
        Duration.ofDays(r.intIn("auth.refreshTokenDays", 30, 1, 365)),
        r.duration("auth.refreshReuseGrace", Duration.ofSeconds(10), Duration.ZERO, Duration.ofMinutes(5)),
        r.intIn("auth.maxSessionsPerUser", 50, 1, 10_000),
        r.intIn("auth.lockout.threshold", 5, 1, 1000),
        r.duration("auth.lockout.window", Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofDays(1)),
        r.duration("auth.lockout.baseDelay", Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofHours(1)),
        r.duration("auth.lockout.maxDelay", Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofDays(1)));
  }
}
