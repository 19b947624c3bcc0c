package dev.bulwark.config;

import java.time.Duration;

/**
 * The tasks resource: per-user quota, tombstone retention for delta sync, idempotency-key lifetime,
 * and the periodic purge that removes tombstones and idempotency records once they are past those
 * lifetimes.
 */
public record TasksConfig(
    int quotaPerUser,
    Duration tombstoneRetention,
    Duration idempotencyTtl,
    Duration purgeInterval,
    int purgeBatchSize) {

  static TasksConfig read(ConfigReader r) {
    return new TasksConfig(
        r.intIn("tasks.quotaPerUser", 10_000, 1, 10_000_000),
        r.duration(
            "tasks.tombstoneRetention",
            Duration.ofDays(30),
            Duration.ofMinutes(1),
            Duration.ofDays(3650)),
        r.duration(
            "tasks.idempotencyTtl",
            Duration.ofHours(24),
            Duration.ofMinutes(1),
            Duration.ofDays(30)),
        r.duration(
            "tasks.purgeInterval",
            Duration.ofMinutes(5),
            Duration.ofSeconds(1),
            Duration.ofDays(1)),
        r.intIn("tasks.purgeBatchSize", 1000, 1, 100_000));
  }
}
