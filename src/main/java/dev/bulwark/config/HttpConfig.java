package dev.bulwark.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The public HTTP listener, and the Host names it answers for ({@code allowedHosts}; empty = any).
 */
public record HttpConfig(
    String host,
    int port,
    int instances,
    long bodyLimit,
    int maxHeaderSize,
    Duration requestTimeout,
    Duration idleTimeout,
    boolean accessLog,
    boolean compression,
    int compressionLevel,
    int compressionThreshold,
    List<String> allowedHosts) {

  /** A host name, an IP literal (IPv6 in brackets or not), or {@code *.} and a domain. */
  private static final Pattern HOST =
      Pattern.compile(
          "(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\\[?[0-9a-f:.]*:[0-9a-f:.]*]?");

  static HttpConfig read(ConfigReader r) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new HttpConfig(
        r.string("http.host", "0.0.0.0"),
        r.intIn("http.port", 8080, 0, 65535),
        r.intIn("http.instances", cores, 1, 256),
        r.bytes("http.bodyLimit", 64 * 1024, 1024, 16 * 1024 * 1024),
        (int) r.bytes("http.maxHeaderSize", 8 * 1024, 1024, 64 * 1024),
        r.duration(
            "http.requestTimeout",
            Duration.ofSeconds(10),
            Duration.ofMillis(100),
            Duration.ofMinutes(5)),
        r.duration(
            "http.idleTimeout", Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofHours(1)),
        r.bool("http.accessLog", true),
        r.bool("http.compression.enabled", true),
        r.intIn("http.compression.level", 6, 1, 9),
        (int) r.bytes("http.compression.minSize", 1024, 0, 16 * 1024 * 1024),
        allowedHosts(r));
  }

  private static List<String> allowedHosts(ConfigReader r) {
    List<String> hosts = new ArrayList<>();
    for (String entry : r.list("http.allowedHosts")) {
      String host = entry.toLowerCase(Locale.ROOT);
      if (!HOST.matcher(host).matches()) {
        r.problem(
            "http.allowedHosts",
            "'"
                + entry
                + "' is not a host name (list names such as api.example.com or "
                + "*.example.com, without scheme, port or path)");
      } else {
        hosts.add(host);
      }
    }
    return List.copyOf(hosts);
  }
}
