package dev.bulwark.config;

import java.time.Duration;

/** The bcrypt worker verticle: cost, parallelism and the bounded queue in front of it. */
public record HasherConfig(int instances, int rounds, int queueCapacity, Duration timeout) {

  static HasherConfig read(ConfigReader r) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new HasherConfig(
        r.intIn("hasher.instances", cores, 1, 64),
        r.intIn("hasher.rounds", 12, 4, 31),
        r.intIn("hasher.queueCapacity", 16, 1, 10_000),
        r.duration("hasher.timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5)));
  }
}
