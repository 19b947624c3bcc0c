package dev.bulwark.auth;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a bcrypt hash takes on this machine right now, as the hasher workers measure it: a
 * moving average of the recent ones, and the fastest seen (the cost with a core to itself).
 * Admission control compares the two: when the workers are starved of CPU (niced threads on a box
 * whose cores are busy), each hash takes several times its cost and a queue of fixed length would
 * keep logins waiting past any client's timeout.
 */
final class HashTimes {
  private final AtomicLong recentNanos;
  private final AtomicLong fastestNanos;

  HashTimes(long firstNanos) {
    long first = Math.max(1, firstNanos);
    this.recentNanos = new AtomicLong(first);
    this.fastestNanos = new AtomicLong(first);
  }

  /** One hash or verification took {@code nanos} of wall time on a worker. */
  void record(long nanos) {
    long n = Math.max(1, nanos);
    fastestNanos.accumulateAndGet(n, Math::min);
    // a quarter of the way towards each new measurement: a few hashes are enough to follow a change
    recentNanos.accumulateAndGet(n, (avg, x) -> avg + (x - avg) / 4);
  }

  long recentNanos() {
    return recentNanos.get();
  }

  long fastestNanos() {
    return fastestNanos.get();
  }
}
