package dev.bulwark.outbox;

import dev.bulwark.config.OutboxConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The deliveries of mail and SMS as configured: SMTP and the HTTP gateway, or — when either is
 * unset, which only development allows — the outbox folder under the development data folder.
 */
public final class Senders {
  private Senders() {}

  /**
   * {@code folderAllowed}: development only. Elsewhere an unset SMTP server is refused at start-up
   * (the preflight), and without a gateway an SMS message is given up at once, audited.
   */
  public static Map<String, Delivery> create(
      Vertx vertx, OutboxConfig config, Path devDataDir, boolean folderAllowed) {
    Map<String, Delivery> out = new HashMap<>();
    Delivery folder =
        folderAllowed
            ? new FolderDelivery(vertx, devDataDir.resolve("outbox"))
            : m -> Future.failedFuture(DeliveryFailure.permanent("no " + m.kind() + " sender"));
    out.put(NewMessage.EMAIL, config.mailToFolder() ? folder : new SmtpDelivery(vertx, config));
    out.put(NewMessage.SMS, config.smsToFolder() ? folder : new SmsGatewayDelivery(vertx, config));
    return out;
  }
}
