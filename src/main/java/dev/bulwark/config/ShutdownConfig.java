package dev.bulwark.config;

import java.time.Duration;

/**
 * Graceful shutdown on SIGTERM: how long /ready reports draining before the port closes, and the
 * in-flight bound.
 */
public record ShutdownConfig(Duration drainDelay, Duration gracePeriod) {

  static ShutdownConfig read(ConfigReader r) {
    return new ShutdownConfig(
        r.duration("shutdown.drainDelay", Duration.ZERO, Duration.ZERO, Duration.ofMinutes(5)),
        r.duration(
            "shutdown.gracePeriod", Duration.ofSeconds(20), Duration.ZERO, Duration.ofMinutes(10)));
  }
}
