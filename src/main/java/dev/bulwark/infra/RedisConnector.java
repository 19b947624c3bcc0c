package dev.bulwark.infra;

import dev.bulwark.config.RedisConfig;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/** The Redis client every verticle shares; reconnects on its own when Redis comes back. */
public final class RedisConnector {
  private RedisConnector() {
  }

  public static Redis create(Vertx vertx, RedisConfig config) {
    RedisOptions options = new RedisOptions()
        .setConnectionString(config.url())
        .setMaxPoolSize(config.poolSize())
        .setMaxPoolWaiting(config.maxWaiting())
        .setMaxWaitingHandlers(config.maxWaiting())
        .setPoolRecycleTimeout(15_000);
    return Redis.createClient(vertx, options);
  }
}
