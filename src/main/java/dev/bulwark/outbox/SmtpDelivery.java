package dev.bulwark.outbox;

import dev.bulwark.config.OutboxConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.util.concurrent.TimeUnit;

/** Mail over SMTP with vertx-mail-client; every send bounded by {@code outbox.sendTimeout}. */
final class SmtpDelivery implements Delivery {
  private final MailClient client;
  private final String from;
  private final long timeoutMs;

  SmtpDelivery(Vertx vertx, OutboxConfig config) {
    OutboxConfig.Smtp smtp = config.smtp();
    MailConfig mail =
        new MailConfig()
            .setHostname(smtp.host())
            .setPort(smtp.port())
            .setSsl(smtp.tls() == OutboxConfig.Tls.IMPLICIT)
            .setStarttls(
                switch (smtp.tls()) {
                  case REQUIRED -> StartTLSOptions.REQUIRED;
                  case OPTIONAL -> StartTLSOptions.OPTIONAL;
                  case DISABLED, IMPLICIT -> StartTLSOptions.DISABLED;
                })
            .setConnectTimeout((int) config.sendTimeout().toMillis())
            .setKeepAlive(true)
            .setMaxPoolSize(Math.max(1, Math.min(config.batchSize(), 16)));
    if (smtp.username() != null) {
      mail.setUsername(smtp.username())
          .setPassword(smtp.password() == null ? "" : smtp.password())
          .setLogin(LoginOption.REQUIRED);
    } else {
      mail.setLogin(LoginOption.DISABLED);
    }
    this.client = MailClient.createShared(vertx, mail, "bulwark-smtp");
    this.from = config.mailFrom();
    this.timeoutMs = config.sendTimeout().toMillis();
  }

  @Override
  public Future<Void> deliver(OutboundMessage m) {
    MailMessage message =
        new MailMessage()
            .setFrom(from)
            .setTo(m.recipient())
            .setSubject(m.subject())
            .setText(m.body());
    return client
        .sendMail(message)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(
            err -> Future.failedFuture(DeliveryFailure.transientFailure("smtp: " + reason(err))))
        .mapEmpty();
  }

  /** An SMTP error's reply code when it has one; never the message, which may quote ours. */
  private static String reason(Throwable err) {
    String text = String.valueOf(err.getMessage());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b([45]\\d\\d)\\b").matcher(text);
    return m.find() ? "reply " + m.group(1) : err.getClass().getSimpleName();
  }

  Future<Void> close() {
    return client.close();
  }
}
