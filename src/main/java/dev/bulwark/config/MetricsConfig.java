package dev.bulwark.config;

/** Prometheus metrics: on or off, and on which port ({@code 0} = the API port). */
public record MetricsConfig(boolean enabled, int port) {

  static MetricsConfig read(ConfigReader r) {
    return new MetricsConfig(r.bool("metrics.enabled", true), r.intIn("metrics.port", 0, 0, 65535));
  }
}
