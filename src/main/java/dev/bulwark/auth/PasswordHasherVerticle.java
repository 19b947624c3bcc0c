package dev.bulwark.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.bulwark.config.HasherConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * bcrypt, and nothing else, on worker threads. Deployed with the WORKER threading model so the slow, CPU-bound
 * hashing never touches an event loop. Requests arrive over the local event bus from {@link PasswordHasher}, which
 * bounds how many may be outstanding.
 */
public final class PasswordHasherVerticle extends VerticleBase {
  static final String ADDRESS = "bulwark.hasher";

  private final int rounds;
  private final WorkerNiceness niceness;
  private MessageConsumer<JsonObject> consumer;

  public PasswordHasherVerticle(HasherConfig config, WorkerNiceness niceness) {
    this.rounds = config.rounds();
    this.niceness = niceness;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().localConsumer(ADDRESS, this::handle);
    return consumer.completion();
  }

  private void handle(Message<JsonObject> message) {
    niceness.applyToCurrentThread();
    JsonObject body = message.body();
    byte[] password = body.getString("password", "").getBytes(StandardCharsets.UTF_8);
    try {
      switch (body.getString("op", "")) {
        case "hash" -> message.reply(new String(BCrypt.withDefaults().hash(rounds, password), StandardCharsets.UTF_8));
        case "verify" -> {
          byte[] hash = body.getString("hash", "").getBytes(StandardCharsets.UTF_8);
          // bcrypt takes at most 72 bytes and the library throws on more; no stored hash can match a longer password
          message.reply(password.length <= PasswordPolicy.MAX_BYTES && BCrypt.verifyer().verify(password, hash).verified);
        }
        default -> message.fail(400, "unknown op");
      }
    } catch (RuntimeException e) {
      // answer at once: an unanswered request would hold a hasher slot until the send timeout
      message.fail(500, e.getClass().getSimpleName());
    }
  }
}
