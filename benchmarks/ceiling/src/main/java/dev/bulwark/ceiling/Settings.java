package dev.bulwark.ceiling;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the ceiling reads at start, from the same environment variables Bulwark reads (so one environment serves
 * both), plus {@code -Dceiling.instances}. Defaults are Bulwark's.
 *
 * @param poolSize PostgreSQL connections in all (Bulwark's {@code DATABASE_POOL_SIZE}), split across the verticles
 * @param readConnections pipelined PostgreSQL connections in all for single-statement reads (Bulwark's
 *     {@code DATABASE_READ_CONNECTIONS}, default one per verticle), split across the verticles; 0: reads use the pool
 */
record Settings(
    String pgHost, int pgPort, String pgDatabase, String pgUser, String pgPassword,
    String redisUrl,
    String jwtSecret, String issuer, String audience, long accessTtlSeconds, long leewaySeconds,
    long refreshTtlSeconds,
    String httpHost, int httpPort, int instances, int poolSize, int readConnections, int taskQuota) {

  static Settings from(Map<String, String> env) {
    URI db = URI.create(required(env, "DATABASE_URL"));
    if (!"postgresql".equals(db.getScheme()) && !"postgres".equals(db.getScheme())) {
      throw new IllegalArgumentException("DATABASE_URL must be postgresql://user[:password]@host:port/db");
    }
    String user = "postgres";
    String password = null;
    if (db.getRawUserInfo() != null) {
      String[] info = db.getRawUserInfo().split(":", 2);
      user = decode(info[0]);
      password = info.length > 1 ? decode(info[1]) : null;
    }
    String database = db.getPath() == null || db.getPath().length() <= 1 ? "postgres" : db.getPath().substring(1);
    String secret = required(env, "JWT_SECRET_KEY");
    if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new IllegalArgumentException("JWT_SECRET_KEY must be at least 32 bytes");
    }
    int instances = Integer.getInteger("ceiling.instances", Runtime.getRuntime().availableProcessors());
    if (instances < 1) {
      throw new IllegalArgumentException("ceiling.instances must be at least 1");
    }
    return new Settings(db.getHost(), db.getPort() < 0 ? 5432 : db.getPort(), database, user, password,
        required(env, "REDIS_URL"),
        secret, env.getOrDefault("JWT_ISSUER", "bulwark"), env.getOrDefault("JWT_AUDIENCE", "bulwark-api"),
        number(env, "ACCESS_TOKEN_EXPIRE_MINUTES", 15) * 60, 5,
        number(env, "REFRESH_TOKEN_EXPIRE_DAYS", 30) * 86_400,
        env.getOrDefault("HTTP_HOST", "0.0.0.0"), (int) number(env, "HTTP_PORT", 8080), instances, (int) number(env, "DATABASE_POOL_SIZE", 16),
        (int) number(env, "DATABASE_READ_CONNECTIONS", instances), 10_000);
  }

  /** Each verticle's own pool: the total split evenly, rounded up. */
  int poolPerVerticle() {
    return Math.max(1, (poolSize + instances - 1) / instances);
  }

  /** Each verticle's pipelined read connections: the total split evenly, rounded up; 0 when reads use the pool. */
  int pipelinedPerVerticle() {
    return readConnections <= 0 ? 0 : Math.max(1, (readConnections + instances - 1) / instances);
  }

  private static String required(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value;
  }

  private static long number(Map<String, String> env, String name, long fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number (got '" + value + "')");
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
