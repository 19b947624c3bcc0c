package dev.bulwark.config;

import java.time.Duration;

/**
 * The bcrypt worker verticle: cost, parallelism, the bounded queue in front of it, and the scheduling niceness of its
 * threads (so that, when logins saturate the CPUs, the event loops serving everything else still get them first).
 */
public record HasherConfig(int instances, int rounds, int queueCapacity, Duration timeout, int niceness) {

  static HasherConfig read(ConfigReader r) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new HasherConfig(
        r.intIn("hasher.instances", cores, 1, 64),
        r.intIn("hasher.rounds", 12, 4, 31),
        r.intIn("hasher.queueCapacity", 16, 1, 10_000),
        r.duration("hasher.timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5)),
        r.intIn("hasher.niceness", 10, 0, 19));
  }
}
