package dev.bulwark.infra;

import dev.bulwark.config.RedisConfig;
import dev.bulwark.config.RedisUrl;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/**
 * Redis clients; each reconnects on its own when Redis comes back. Each HTTP verticle creates its
 * own inside its {@code start()}, so its connections live on its event loop (see
 * docs/ARCHITECTURE.md, "Hot-path rules"); the process keeps one for start-up and background work.
 */
public final class RedisConnector {
  private RedisConnector() {}

  public static Redis create(Vertx vertx, RedisConfig config) {
    return create(vertx, config, config.poolSize(), config.maxWaiting());
  }

  /** A client of at most {@code poolSize} connections and {@code maxWaiting} waiting requests. */
  public static Redis create(Vertx vertx, RedisConfig config, int poolSize, int maxWaiting) {
    return Redis.createClient(
        vertx,
        options(config)
            .setMaxPoolSize(poolSize)
            .setMaxPoolWaiting(maxWaiting)
            .setMaxWaitingHandlers(maxWaiting));
  }

  /**
   * {@code rediss://} is TLS with the server's certificate and host name verified (its CA file, or
   * the JVM's).
   */
  public static RedisOptions options(RedisConfig config) {
    RedisOptions options =
        new RedisOptions()
            .setConnectionString(config.url())
            .setMaxPoolSize(config.poolSize())
            .setMaxPoolWaiting(config.maxWaiting())
            .setMaxWaitingHandlers(config.maxWaiting())
            .setPoolRecycleTimeout(15_000);
    if (config.url() != null && RedisUrl.isTls(config.url())) {
      options
          .getNetClientOptions()
          .setHostnameVerificationAlgorithm("HTTPS")
          .setTrustOptions(
              config.caFile() != null
                  ? new PemTrustOptions().addCertPath(config.caFile())
                  : new SystemTrust());
    }
    return options;
  }
}
