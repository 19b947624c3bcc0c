package dev.bulwark.auth;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a bcrypt hash takes on this machine right now, as the hasher workers measure it: a
 * moving average of the recent ones, and the fastest seen at the configured cost (the cost with a
 * core to itself). Admission control compares the two: when the workers are starved of CPU (niced
 * threads on a box whose cores are busy), each hash takes several times its cost and a queue of
 * fixed length would keep logins waiting past any client's timeout. Both are 0 until the first hash
 * is measured.
 */
final class HashTimes {
  private final AtomicLong recentNanos = new AtomicLong();
  private final AtomicLong fastestNanos = new AtomicLong();

  /**
   * One hash or verification took {@code nanos} of wall time on a worker; {@code fullCost}: it did
   * at least one hash at the configured cost (else it only moves the average).
   */
  void record(long nanos, boolean fullCost) {
    long n = Math.max(1, nanos);
    if (fullCost) {
      fastestNanos.accumulateAndGet(n, (min, x) -> min == 0 ? x : Math.min(min, x));
    }
    // a quarter of the way towards each new measurement: a few hashes are enough to follow a change
    recentNanos.accumulateAndGet(n, (avg, x) -> avg == 0 ? x : avg + (x - avg) / 4);
  }

  long recentNanos() {
    return recentNanos.get();
  }

  /** 0 until a hash at the configured cost was measured. */
  long fastestNanos() {
    return fastestNanos.get();
  }
}
