package dev.bulwark.outbox;

import io.vertx.core.Future;

/**
 * Delivers one claimed message of a kind: an SMTP server, an SMS gateway, the development folder,
 * or a feature's deferred work. Fails with {@link DeliveryFailure} to say whether trying again can
 * help; any other failure is retried.
 */
@FunctionalInterface
public interface Delivery {
  Future<Void> deliver(OutboundMessage message);
}
