package dev.bulwark.config;

/** Rate limiting (DESIGN §6). */
public record RateLimitConfig(boolean enabled) {

  static RateLimitConfig read(ConfigReader r) {
    return new RateLimitConfig(r.bool("rateLimit.enabled", true));
  }
}
