package dev.bulwark.config;

import java.nio.charset.StandardCharsets;

/**
 * Prometheus metrics: on or off (off means no registry and no meters at all), on which port ({@code
 * 0} = the API port, else a management port only), and the bearer token {@code /metrics} requires
 * when one is set.
 */
public record MetricsConfig(boolean enabled, int port, String token) {
  static final int MIN_TOKEN_BYTES = 16;

  static MetricsConfig read(ConfigReader r) {
    String token = r.optionalString("metrics.token");
    if (token != null && token.getBytes(StandardCharsets.UTF_8).length < MIN_TOKEN_BYTES) {
      r.problem(
          "metrics.token",
          "must be at least " + MIN_TOKEN_BYTES + " bytes (for example: openssl rand -hex 24)");
    }
    return new MetricsConfig(
        r.bool("metrics.enabled", true), r.intIn("metrics.port", 0, 0, 65535), token);
  }

  /**
   * Whether {@code /metrics} is served on the API port, where anyone who reaches the API reaches
   * it.
   */
  public boolean onApiPort() {
    return enabled && port == 0;
  }

  @Override
  public String toString() {
    return "MetricsConfig[enabled="
        + enabled
        + ", port="
        + port
        + ", token="
        + (token == null ? "none" : "***")
        + "]";
  }
}
