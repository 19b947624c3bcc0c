package dev.bulwark.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Sessions (idle lifetime = the refresh-token lifetime, renewed by each refresh; absolute lifetime
 * {@code sessionMaxAge}, never extended), refresh-token rotation, the brute-force brake (per
 * account and address, per account with a higher threshold, per proven device), the password
 * pepper, and the names of the roles.
 */
public record AuthConfig(
    Duration refreshTokenTtl,
    Duration sessionMaxAge,
    Duration refreshReuseGrace,
    int maxSessionsPerUser,
    int lockoutThreshold,
    int lockoutAccountThreshold,
    Duration lockoutWindow,
    Duration lockoutBaseDelay,
    Duration lockoutMaxDelay,
    Duration deviceTokenValidity,
    String passwordPepper,
    Roles roles) {

  public static final int MIN_PEPPER_BYTES = 32;

  static AuthConfig read(ConfigReader r) {
    return new AuthConfig(
        Duration.ofDays(r.intIn("auth.refreshTokenDays", 30, 1, 365)),
        r.duration(
            "auth.sessionMaxAge",
            Duration.ofDays(90),
            Duration.ofMinutes(1),
            Duration.ofDays(3650)),
        r.duration(
            "auth.refreshReuseGrace", Duration.ofSeconds(10), Duration.ZERO, Duration.ofMinutes(5)),
        r.intIn("auth.maxSessionsPerUser", 50, 1, 10_000),
        r.intIn("auth.lockout.threshold", 5, 1, 1000),
        r.intIn("auth.lockout.accountThreshold", 100, 1, 1_000_000),
        r.duration(
            "auth.lockout.window",
            Duration.ofMinutes(15),
            Duration.ofSeconds(1),
            Duration.ofDays(1)),
        r.duration(
            "auth.lockout.baseDelay",
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            Duration.ofHours(1)),
        r.duration(
            "auth.lockout.maxDelay",
            Duration.ofMinutes(15),
            Duration.ofSeconds(1),
            Duration.ofDays(1)),
        r.duration(
            "auth.lockout.deviceTokenValidity",
            Duration.ofDays(365),
            Duration.ofMinutes(1),
            Duration.ofDays(3650)),
        pepper(r),
        Roles.read(r));
  }

  /**
   * Every password hash is keyed with it, so it is required everywhere (development generates one
   * per data folder, like its signing key) and, once accounts exist, must never change: a new
   * pepper fails every login.
   */
  private static String pepper(ConfigReader r) {
    String pepper = r.optionalString("auth.passwordPepper");
    if (pepper == null) {
      r.problem(
          "auth.passwordPepper",
          "is required: at least "
              + MIN_PEPPER_BYTES
              + " random bytes (for example: openssl rand -base64 48), kept apart from the database");
      return "";
    }
    if (pepper.getBytes(StandardCharsets.UTF_8).length < MIN_PEPPER_BYTES) {
      r.problem("auth.passwordPepper", "must be at least " + MIN_PEPPER_BYTES + " bytes");
    }
    return pepper;
  }
}
