package dev.bulwark.outbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Development's stand-in for SMTP and the SMS gateway: each message becomes a file in the outbox
 * folder (under the development data folder) and one log line names the file — never its content,
 * which may hold a one-time code. Staging and production refuse it (the preflight).
 */
final class FolderDelivery implements Delivery {
  private static final Logger log = LoggerFactory.getLogger("bulwark.outbox");

  private final Vertx vertx;
  private final Path folder;

  FolderDelivery(Vertx vertx, Path folder) {
    this.vertx = vertx;
    this.folder = folder;
  }

  @Override
  public Future<Void> deliver(OutboundMessage m) {
    Path file = folder.resolve(m.id() + "-" + m.kind() + ".txt");
    StringBuilder text = new StringBuilder();
    text.append("To: ").append(m.recipient()).append('\n');
    if (m.subject() != null) {
      text.append("Subject: ").append(m.subject()).append('\n');
    }
    text.append('\n').append(m.body()).append('\n');
    return vertx
        .fileSystem()
        .mkdirs(folder.toString())
        .compose(v -> vertx.fileSystem().writeFile(file.toString(), Buffer.buffer(text.toString())))
        .onSuccess(v -> log.info("outbox: {} message {} written to {}", m.kind(), m.id(), file));
  }
}
