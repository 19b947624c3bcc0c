package dev.bulwark.auth;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * bcrypt, and nothing else, on worker threads. Deployed with the WORKER threading model so the
 * slow, CPU-bound hashing never touches an event loop. Requests arrive over the local event bus
 * from {@link PasswordHasher}, which bounds how many may be outstanding. A verification asked to
 * upgrade answers, when the password matched a stale hash (legacy format or another cost), the
 * replacement hash too: one queue slot, one round trip.
 */
public final class PasswordHasherVerticle extends VerticleBase {
  static final String ADDRESS = "bulwark.hasher";

  private final PasswordHashes hashes;
  private final WorkerNiceness niceness;
  private final HashTimes times;
  private MessageConsumer<JsonObject> consumer;

  /** {@code front}: the hasher front these workers serve; they tell it how long hashes take. */
  public PasswordHasherVerticle(
      PasswordHashes hashes, WorkerNiceness niceness, PasswordHasher front) {
    this.hashes = hashes;
    this.niceness = niceness;
    this.times = front.times();
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().localConsumer(ADDRESS, this::handle);
    return consumer.completion();
  }

  private void handle(Message<JsonObject> message) {
    niceness.applyToCurrentThread();
    JsonObject body = message.body();
    String password = body.getString("password", "");
    long start = System.nanoTime();
    try {
      switch (body.getString("op", "")) {
        case "hash" -> {
          message.reply(hashes.hash(password));
          times.record(System.nanoTime() - start, true);
        }
        case "verify" -> {
          PasswordHashes.Check check = hashes.verify(password, body.getString("hash"));
          JsonObject reply = new JsonObject().put("matches", check.matches());
          boolean upgraded = check.stale() && check.matches() && body.getBoolean("upgrade", false);
          if (upgraded) {
            reply.put("upgraded", hashes.hash(password));
          }
          message.reply(reply);
          // a matching stale hash may be cheaper than the current cost (a mismatch is padded up
          // to it): not a measure of what a hash costs here
          times.record(System.nanoTime() - start, !check.stale() || !check.matches() || upgraded);
        }
        default -> message.fail(400, "unknown op");
      }
    } catch (RuntimeException e) {
      // answer at once: an unanswered request would hold a hasher slot until the send timeout
      message.fail(500, e.getClass().getSimpleName());
    }
  }
}
