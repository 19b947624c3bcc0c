package dev.bulwark.config;

import java.time.Duration;

/**
 * Redis: rate counters, the access-token denylist, not-before stamps. {@code url} is null until
 * resolved.
 */
public record RedisConfig(
    String url, int poolSize, int maxWaiting, Duration commandTimeout, String caFile) {

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
        r.duration(
            "redis.commandTimeout",
            Duration.ofMillis(500),
            Duration.ofMillis(10),
            Duration.ofMinutes(1)),
        caFile(r, url));
  }

  /**
   * {@code rediss://} verifies the server's certificate and name against the JVM's CAs, or these
   * (PEM).
   */
  private static String caFile(ConfigReader r, String url) {
    String caFile = r.optionalString("redis.caFile");
    if (caFile == null) {
      return null;
    }
    if (url != null && !RedisUrl.isTls(url)) {
      r.problem("redis.caFile", "a CA file is used only with a rediss:// REDIS_URL");
    }
    try {
      CaFiles.check(caFile);
    } catch (IllegalArgumentException e) {
      r.problem("redis.caFile", e.getMessage());
    }
    return caFile;
  }

  public RedisConfig withUrl(String newUrl) {
    return new RedisConfig(newUrl, poolSize, maxWaiting, commandTimeout, caFile);
  }

  /** One HTTP verticle's share of {@code poolSize}: split evenly between them, rounded up. */
  public int poolSizePerVerticle(int verticles) {
    return (poolSize + verticles - 1) / verticles;
  }

  /** One HTTP verticle's share of {@code maxWaiting}, rounded up. */
  public int maxWaitingPerVerticle(int verticles) {
    return (maxWaiting + verticles - 1) / verticles;
  }
}
