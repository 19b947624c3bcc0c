package dev.bulwark.config;

import java.time.Duration;

/** PostgreSQL: where it is and how the shared, bounded pool behaves. {@code url} is null until resolved. */
public record DatabaseConfig(
    DatabaseUrl url,
    int poolSize,
    int maxWaitQueue,
    Duration connectTimeout,
    Duration idleTimeout,
    Duration maxLifetime,
    int pipeliningLimit,
    int preparedStatementCacheSize,
    Duration healthTimeout) {

  static DatabaseConfig read(ConfigReader r) {
    DatabaseUrl url = null;
    String raw = r.optionalString("database.url");
    if (raw != null) {
      try {
        url = DatabaseUrl.parse(raw);
      } catch (IllegalArgumentException e) {
        r.problem("database.url", e.getMessage());
      }
    }
    return new DatabaseConfig(
        url,
        r.intIn("database.poolSize", 16, 1, 1000),
        r.intIn("database.maxWaitQueue", 1024, 0, 1_000_000),
        r.duration("database.connectTimeout", Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMinutes(5)),
        r.duration("database.idleTimeout", Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofDays(1)),
        r.duration("database.maxLifetime", Duration.ofMinutes(30), Duration.ofSeconds(1), Duration.ofDays(7)),
        r.intIn("database.pipeliningLimit", 256, 1, 4096),
        r.intIn("database.preparedStatementCacheSize", 256, 0, 100_000),
        r.duration("database.healthTimeout", Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMinutes(1)));
  }

  public DatabaseConfig withUrl(DatabaseUrl newUrl) {
    return new DatabaseConfig(newUrl, poolSize, maxWaitQueue, connectTimeout, idleTimeout, maxLifetime,
        pipeliningLimit, preparedStatementCacheSize, healthTimeout);
  }
}
