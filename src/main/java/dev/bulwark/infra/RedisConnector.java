package dev.bulwark.infra;

import dev.bulwark.config.RedisConfig;
import dev.bulwark.config.RedisUrl;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;
import java.util.ArrayList;

/**
 * Redis clients, standalone, Redis Cluster or Sentinel as {@code redis.url} says; each reconnects
 * on its own when Redis comes back. Each HTTP verticle creates its own inside its {@code start()},
 * so its connections live on its event loop (see docs/ARCHITECTURE.md, "Hot-path rules"); the
 * process keeps one for start-up and background work.
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
            .setMaxPoolSize(config.poolSize())
            .setMaxPoolWaiting(config.maxWaiting())
            .setMaxWaitingHandlers(config.maxWaiting())
            .setPoolRecycleTimeout(15_000);
    if (config.url() == null) {
      return options;
    }
    RedisUrl.Topology topology = config.topology();
    options.setEndpoints(new ArrayList<>(topology.endpoints()));
    switch (topology.mode()) {
      case STANDALONE -> options.setType(RedisClientType.STANDALONE);
      case CLUSTER ->
          // writes and the gate's scripts go to masters; replicas are never read (a marker read
          // from a lagging replica could miss a revocation)
          options.setType(RedisClientType.CLUSTER).setUseReplicas(RedisReplicas.NEVER);
      case SENTINEL ->
          // the master is asked of the sentinels at each new connection, and a failover they
          // announce drops the old master's connections
          options
              .setType(RedisClientType.SENTINEL)
              .setMasterName(topology.masterName())
              .setRole(RedisRole.MASTER)
              .setAutoFailover(true);
    }
    if (topology.tls()) {
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
