package dev.bulwark.config;

import java.time.Duration;
import java.util.List;

/**
 * Redis: rate counters, the access-token denylist, not-before stamps. {@code url} is null until
 * resolved.
 */
public record RedisConfig(
    String url, int poolSize, int maxWaiting, Duration commandTimeout, String caFile) {

  static RedisConfig read(ConfigReader r) {
    String url = topologyUrl(r, r.optionalString("redis.url"));
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
   * {@code redis.mode} with {@code redis.nodes} (or with a plain {@code redis.url} as the one seed)
   * is another way to write a cluster or Sentinel URL: the URL they stand for.
   */
  private static String topologyUrl(ConfigReader r, String url) {
    RedisUrl.Mode mode = r.oneOf("redis.mode", RedisUrl.Mode.class, null);
    List<String> nodes = r.list("redis.nodes");
    String master = r.optionalString("redis.masterName");
    if (mode == null || mode == RedisUrl.Mode.STANDALONE) {
      if (!nodes.isEmpty()) {
        r.problem("redis.nodes", "nodes are for redis.mode cluster or sentinel");
      }
      if (master != null) {
        r.problem("redis.masterName", "a master name is for redis.mode sentinel");
      }
      return url;
    }
    if (mode == RedisUrl.Mode.CLUSTER && master != null) {
      r.problem("redis.masterName", "a master name is for redis.mode sentinel");
      return url;
    }
    if (mode == RedisUrl.Mode.SENTINEL && master == null) {
      r.problem("redis.masterName", "Sentinel needs the name of its master (REDIS_MASTER_NAME)");
      return url;
    }
    List<String> seeds = nodes;
    if (nodes.isEmpty()) {
      if (url == null || !(url.startsWith("redis://") || url.startsWith("rediss://"))) {
        r.problem(
            "redis.nodes",
            "redis.mode " + mode.id() + " needs its nodes (REDIS_NODES=redis://host1:6379,…)");
        return url;
      }
      seeds = List.of(url);
    } else if (url != null) {
      r.problem("redis.url", "set either the URL or redis.nodes, not both");
      return url;
    }
    try {
      return RedisUrl.of(mode, seeds, master);
    } catch (IllegalArgumentException e) {
      r.problem("redis.nodes", e.getMessage());
      return null;
    }
  }

  /** The topology {@code url} names; null until the URL is resolved. */
  public RedisUrl.Topology topology() {
    return url == null ? null : RedisUrl.parse(url);
  }

  /** Redis Cluster: each principal's script call goes to its own slot. */
  public boolean clustered() {
    return url != null && topology().mode() == RedisUrl.Mode.CLUSTER;
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
