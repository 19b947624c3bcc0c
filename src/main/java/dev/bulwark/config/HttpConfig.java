package dev.bulwark.config;

import java.time.Duration;

/** The public HTTP listener. */
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
    int compressionThreshold) {

  static HttpConfig read(ConfigReader r) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new HttpConfig(
        r.string("http.host", "0.0.0.0"),
        r.intIn("http.port", 8080, 0, 65535),
        r.intIn("http.instances", cores, 1, 256),
        r.bytes("http.bodyLimit", 64 * 1024, 1024, 16 * 1024 * 1024),
        (int) r.bytes("http.maxHeaderSize", 8 * 1024, 1024, 64 * 1024),
        r.duration("http.requestTimeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5)),
        r.duration("http.idleTimeout", Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofHours(1)),
        r.bool("http.accessLog", true),
        r.bool("http.compression.enabled", true),
        r.intIn("http.compression.level", 6, 1, 9),
        (int) r.bytes("http.compression.minSize", 1024, 0, 16 * 1024 * 1024));
  }
}
