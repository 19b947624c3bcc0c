package dev.bulwark.auth;

import dev.bulwark.config.HasherConfig;
import dev.bulwark.core.Failure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client side of {@link PasswordHasherVerticle}: admission control in front of a bounded queue.
 * The queue holds what the workers finish in about {@code queueCapacity} uncontended hashes: when
 * that much work is already outstanding — {@code queueCapacity} requests at the usual speed, fewer
 * while starved workers hash slower — a new one fails at once with 503 {@code server_busy} and a
 * {@code Retry-After}, instead of waiting behind work the workers cannot finish in time.
 */
public final class PasswordHasher {
  private final Vertx vertx;
  private final int capacity;
  private final DeliveryOptions delivery;
  private final AtomicInteger outstanding = new AtomicInteger();
  private final LongAdder rejected = new LongAdder();
  private final String decoyHash;
  private final HashTimes times;

  public PasswordHasher(Vertx vertx, HasherConfig config) {
    this.vertx = vertx;
    this.capacity = config.queueCapacity();
    this.delivery =
        new DeliveryOptions().setSendTimeout(config.timeout().toMillis()).setLocalOnly(true);
    this.decoyHash = PasswordHashes.decoy(config.rounds());
    this.times = new HashTimes();
  }

  /** Where the workers record how long each hash took (the verticle is given it). */
  HashTimes times() {
    return times;
  }

  /**
   * Whether one more request may queue: fewer than {@code capacity} outstanding, and the work
   * outstanding, at the recent speed, within what {@code capacity} hashes take at the fastest (a
   * quarter of slack, so ordinary jitter does not shrink the queue) — or under a second in all,
   * which no client minds (and which keeps cheap test-cost hashes, all noise, out of the rule).
   * Before the first hash at the configured cost is measured ({@code fastestNanos} 0), the count
   * alone decides.
   */
  static boolean admits(int outstanding, int capacity, long recentNanos, long fastestNanos) {
    if (outstanding >= capacity) {
      return false;
    }
    double work = (outstanding + 1) * (double) recentNanos;
    return fastestNanos == 0
        || work <= capacity * 1.25 * fastestNanos
        || work <= ALWAYS_ADMITTED_WORK_NANOS;
  }

  private static final double ALWAYS_ADMITTED_WORK_NANOS = 1e9;

  private boolean admits(int outstanding) {
    return admits(outstanding, capacity, times.recentNanos(), times.fastestNanos());
  }

  /**
   * A current-version hash at the configured cost that matches no password: what unknown emails are
   * checked against.
   */
  public String decoyHash() {
    return decoyHash;
  }

  public Future<String> hash(String password) {
    return send(new JsonObject().put("op", "hash").put("password", password));
  }

  public Future<Boolean> verify(String password, String hash) {
    return this.<JsonObject>send(
            new JsonObject().put("op", "verify").put("password", password).put("hash", hash))
        .map(reply -> reply.getBoolean("matches", false));
  }

  /**
   * A verification, and when the password matched a stale hash, the hash to replace it with (else
   * null).
   */
  public record Verified(boolean matches, String upgradedHash) {}

  /**
   * Verifies, asking for a replacement hash when the stored one is legacy or at another cost
   * (login's upgrade path).
   */
  public Future<Verified> verifyAndUpgrade(String password, String hash) {
    return this.<JsonObject>send(
            new JsonObject()
                .put("op", "verify")
                .put("password", password)
                .put("hash", hash)
                .put("upgrade", true))
        .map(
            reply -> new Verified(reply.getBoolean("matches", false), reply.getString("upgraded")));
  }

  /**
   * A cheap check before a request does any other work for a hash: when the queue is already full,
   * fail at once with {@code server_busy} (a login storm's excess then costs no Redis or PostgreSQL
   * call at all). Passing it does not reserve a slot; the hash itself may still be refused.
   */
  public Future<Void> admission() {
    if (!admits(outstanding.get())) {
      rejected.increment();
      return Future.failedFuture(busy());
    }
    return Future.succeededFuture();
  }

  private <T> Future<T> send(JsonObject request) {
    if (!admits(outstanding.incrementAndGet() - 1)) {
      outstanding.decrementAndGet();
      rejected.increment();
      return Future.failedFuture(busy());
    }
    return vertx
        .eventBus()
        .<T>request(PasswordHasherVerticle.ADDRESS, request, delivery)
        .map(reply -> reply.body())
        .eventually(
            () -> {
              outstanding.decrementAndGet();
              return Future.succeededFuture();
            });
  }

  static Failure busy() {
    return Failure.unavailable(
        "server_busy", "The server is busy verifying passwords; retry shortly.", 1);
  }

  /** Requests queued or being hashed right now. */
  public int outstanding() {
    return outstanding.get();
  }

  public long rejectedTotal() {
    return rejected.sum();
  }
}
