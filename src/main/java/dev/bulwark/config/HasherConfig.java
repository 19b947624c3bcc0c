package dev.bulwark.config;

import java.time.Duration;

/**
 * The bcrypt worker verticle: cost, parallelism, the bounded queue in front of it, and the
 * scheduling niceness of its threads (so that, when logins saturate the CPUs, the event loops
 * serving everything else still get them first), or Linux's idle scheduling policy for them ({@code
 * idle}: they then only get CPU time nothing else wants).
 */
public record HasherConfig(
    int instances, int rounds, int queueCapacity, Duration timeout, int niceness, boolean idle) {
  static final int QUEUE_PER_INSTANCE = 8;

  static HasherConfig read(ConfigReader r) {
    int instances =
        r.intIn(
            "hasher.instances",
            defaultInstances(Runtime.getRuntime().availableProcessors()),
            1,
            64);
    return new HasherConfig(
        instances,
        r.intIn("hasher.rounds", 12, 4, 31),
        // the longest wait in the queue is about capacity / instances hashes: 8 per worker ≈ 2.6 s
        // at cost 12
        r.intIn("hasher.queueCapacity", QUEUE_PER_INSTANCE * instances, 1, 10_000),
        r.duration(
            "hasher.timeout",
            Duration.ofSeconds(10),
            Duration.ofMillis(100),
            Duration.ofMinutes(5)),
        r.intIn("hasher.niceness", 10, 0, 19),
        r.bool("hasher.idle", false));
  }

  /**
   * Half the cores, at least one. bcrypt keeps a worker at 100 % CPU for its whole hash; with one
   * worker per core a login storm took every core from the event loops (2 cores, 18 logins/s +
   * 1,000 reads/s: read p99 1 s and pool-queue overflows with 2 workers; 0 read failures with 1 —
   * see README, Performance).
   */
  static int defaultInstances(int cores) {
    return Math.max(1, cores / 2);
  }
}
