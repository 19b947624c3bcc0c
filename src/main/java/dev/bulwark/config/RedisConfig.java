package dev.bulwark.config;

import java.time.Duration;

/** Redis: rate counters, the access-token denylist, not-before stamps. {@code url} is null until resolved. */
public record RedisConfig(String url, int poolSize, int maxWaiting, Duration commandTimeout) {

  static RedisConfig read(ConfigReader r) {
    String url = r.optionalString("redis.url");
    if (url != null) {
      try {
        RedisUrl.validate(url);
      } catch (IllegalArgumentException e) {
        r.problem("redis.url", e.getMessage());
        url = null;
      }
    }
    return new RedisConfig(
        url,
        r.intIn("redis.poolSize", 8, 1, 1000),
        r.intIn("redis.maxWaiting", 2048, 1, 1_000_000),
        r.duration("redis.commandTimeout", Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofMinutes(1)));
  }

  public RedisConfig withUrl(String newUrl) {
    return new RedisConfig(newUrl, poolSize, maxWaiting, commandTimeout);
  }
}
