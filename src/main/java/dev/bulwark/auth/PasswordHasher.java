package dev.bulwark.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.bulwark.config.HasherConfig;
import dev.bulwark.http.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client side of {@link PasswordHasherVerticle}: admission control in front of a bounded queue. When
 * {@code queueCapacity} requests are already outstanding, a new one fails at once with 503 {@code server_busy} and a
 * {@code Retry-After}, instead of waiting behind work the workers cannot finish in time.
 */
public final class PasswordHasher {
  private final Vertx vertx;
  private final int capacity;
  private final DeliveryOptions delivery;
  private final AtomicInteger outstanding = new AtomicInteger();
  private final LongAdder rejected = new LongAdder();
  private final String decoyHash;

  public PasswordHasher(Vertx vertx, HasherConfig config) {
    this.vertx = vertx;
    this.capacity = config.queueCapacity();
    this.delivery = new DeliveryOptions().setSendTimeout(config.timeout().toMillis()).setLocalOnly(true);
    this.decoyHash = decoy(config.rounds());
  }

  /**
   * A well-formed hash at the configured cost that matches no password: verifying against it costs exactly what a
   * real verification costs, so login for an unknown email is no faster than for a known one. Built from a cheap
   * cost-4 hash whose cost field is rewritten (the salt and digest stay valid bcrypt base64).
   */
  private static String decoy(int rounds) {
    byte[] random = new byte[16];
    new java.security.SecureRandom().nextBytes(random);
    String cheap = BCrypt.withDefaults().hashToString(4, java.util.HexFormat.of().formatHex(random).toCharArray());
    return cheap.substring(0, 4) + String.format("%02d", rounds) + cheap.substring(6);
  }

  public String decoyHash() {
    return decoyHash;
  }

  public Future<String> hash(String password) {
    return send(new JsonObject().put("op", "hash").put("password", password));
  }

  public Future<Boolean> verify(String password, String hash) {
    return send(new JsonObject().put("op", "verify").put("password", password).put("hash", hash));
  }

  /**
   * A cheap check before a request does any other work for a hash: when the queue is already full, fail at once with
   * {@code server_busy} (a login storm's excess then costs no Redis or PostgreSQL call at all). Passing it does not
   * reserve a slot; the hash itself may still be refused.
   */
  public Future<Void> admission() {
    if (outstanding.get() >= capacity) {
      rejected.increment();
      return Future.failedFuture(busy());
    }
    return Future.succeededFuture();
  }

  private <T> Future<T> send(JsonObject request) {
    if (outstanding.incrementAndGet() > capacity) {
      outstanding.decrementAndGet();
      rejected.increment();
      return Future.failedFuture(busy());
    }
    return vertx.eventBus().<T>request(PasswordHasherVerticle.ADDRESS, request, delivery)
        .map(reply -> reply.body())
        .eventually(() -> {
          outstanding.decrementAndGet();
          return Future.succeededFuture();
        });
  }

  static ApiException busy() {
    return ApiException.unavailable("server_busy", "The server is busy verifying passwords; retry shortly.", 1);
  }

  /** Requests queued or being hashed right now. */
  public int outstanding() {
    return outstanding.get();
  }

  public long rejectedTotal() {
    return rejected.sum();
  }
}
