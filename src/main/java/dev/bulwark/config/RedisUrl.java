package dev.bulwark.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Validation, parsing and redaction of a Redis URL, in one of three topologies:
 *
 * <ul>
 *   <li>standalone: {@code redis://[user[:password]@]host:port[/db]};
 *   <li>cluster: {@code redis-cluster://[user[:password]@]host:port[,host:port…]} (seed nodes; the
 *       client learns the rest and follows MOVED/ASK);
 *   <li>Sentinel: {@code
 *       redis-sentinel://[user[:password]@]host:port[,host:port…][/db]?master=name} (the sentinels;
 *       the master they name is asked for at each connection).
 * </ul>
 *
 * <p>{@code rediss} in place of {@code redis} ({@code rediss-cluster://}, {@code
 * rediss-sentinel://}) is TLS. The credentials and TLS apply to every node.
 */
public final class RedisUrl {
  private RedisUrl() {}

  /** How the nodes of a URL are arranged. */
  public enum Mode {
    STANDALONE,
    CLUSTER,
    SENTINEL;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A parsed URL: its mode, one standalone-form URL per node ({@code redis[s]://[auth@]host:port}),
   * the Sentinel master's name (Sentinel only) and whether it is TLS.
   */
  public record Topology(Mode mode, List<String> endpoints, String masterName, boolean tls) {}

  /**
   * Throws {@link IllegalArgumentException} with a message safe to show when the URL is unusable.
   */
  public static void validate(String url) {
    parse(url);
  }

  /** The topology of a URL; {@link IllegalArgumentException} (safe to show) when unusable. */
  public static Topology parse(String url) {
    int sep = url.indexOf("://");
    if (sep < 0) {
      throw new IllegalArgumentException("not a URL (expected redis://host:6379)");
    }
    String scheme = url.substring(0, sep);
    boolean tls = scheme.startsWith("rediss");
    Mode mode =
        switch (scheme) {
          case "redis", "rediss" -> Mode.STANDALONE;
          case "redis-cluster", "rediss-cluster" -> Mode.CLUSTER;
          case "redis-sentinel", "rediss-sentinel" -> Mode.SENTINEL;
          default ->
              throw new IllegalArgumentException(
                  "scheme must be redis://, rediss://, redis-cluster://, rediss-cluster://,"
                      + " redis-sentinel:// or rediss-sentinel://");
        };
    if (mode == Mode.STANDALONE) {
      checkStandalone(url);
      return new Topology(mode, List.of(url), null, tls);
    }
    String rest = url.substring(sep + 3);
    String query = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    String path = "";
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      path = rest.substring(slash);
      rest = rest.substring(0, slash);
    }
    String userInfo = "";
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      userInfo = rest.substring(0, at + 1);
      rest = rest.substring(at + 1);
    }
    if (mode == Mode.CLUSTER && !path.isEmpty() && !path.equals("/") && !path.equals("/0")) {
      throw new IllegalArgumentException("a cluster has database 0 only (drop the /db part)");
    }
    String base = tls ? "rediss://" : "redis://";
    List<String> endpoints = new ArrayList<>();
    for (String host : rest.split(",", -1)) {
      if (host.isBlank()) {
        throw new IllegalArgumentException(
            "empty node in the list (expected " + scheme + "://host1:6379,host2:6379)");
      }
      String endpoint = base + userInfo + host.trim() + (mode == Mode.SENTINEL ? path : "");
      checkStandalone(endpoint);
      endpoints.add(endpoint);
    }
    String master = null;
    if (query != null) {
      for (String param : query.split("&")) {
        if (param.startsWith("master=") && param.length() > "master=".length()) {
          master = param.substring("master=".length());
        } else if (!param.isEmpty()) {
          throw new IllegalArgumentException("unknown URL parameter (only ?master=name)");
        }
      }
    }
    if (mode == Mode.SENTINEL && master == null) {
      throw new IllegalArgumentException(
          "a Sentinel URL names its master: " + scheme + "://host:26379?master=mymaster");
    }
    if (mode == Mode.CLUSTER && master != null) {
      throw new IllegalArgumentException("?master= is for Sentinel URLs only");
    }
    return new Topology(mode, List.copyOf(endpoints), master, tls);
  }

  private static void checkStandalone(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL (expected redis://host:6379)");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("missing host (expected redis://host:6379)");
    }
    String path = uri.getPath();
    if (path != null && path.length() > 1 && !path.substring(1).matches("\\d{1,2}")) {
      throw new IllegalArgumentException("database must be a number (redis://host:6379/0)");
    }
  }

  /**
   * The URL of {@code mode} for the nodes given as standalone URLs ({@code redis.nodes}): their
   * scheme and credentials are the first node's.
   */
  public static String of(Mode mode, List<String> nodes, String masterName) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("no nodes");
    }
    List<String> hosts = new ArrayList<>();
    String first = nodes.get(0);
    for (String node : nodes) {
      checkStandalone(node);
      if (isTls(node) != isTls(first)) {
        throw new IllegalArgumentException("mixes redis:// and rediss:// nodes");
      }
      URI uri = URI.create(node);
      hosts.add(uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : ""));
    }
    URI uri = URI.create(first);
    String scheme = (isTls(first) ? "rediss-" : "redis-") + mode.id();
    String userInfo = uri.getRawUserInfo() == null ? "" : uri.getRawUserInfo() + "@";
    String url = scheme + "://" + userInfo + String.join(",", hosts);
    return masterName == null ? url : url + "?master=" + masterName;
  }

  /** {@code rediss://} (and the TLS cluster and Sentinel forms): TLS. */
  public static boolean isTls(String url) {
    return url.startsWith("rediss");
  }

  /** The hosts a (valid) URL names. */
  public static List<String> hosts(String url) {
    List<String> hosts = new ArrayList<>();
    for (String endpoint : parse(url).endpoints()) {
      hosts.add(URI.create(endpoint).getHost());
    }
    return hosts;
  }

  /** The first host a (valid) URL names. */
  public static String host(String url) {
    return hosts(url).get(0);
  }

  public static String redact(String url) {
    return url == null ? null : url.replaceAll("//([^@/]*)@", "//***@");
  }
}
