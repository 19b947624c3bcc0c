package dev.bulwark.outbox;

import dev.bulwark.config.OutboxConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * SMS through an HTTP gateway: a Twilio-style form POST ({@code To}, {@code From}, {@code Body},
 * basic auth with the account SID and token) or a generic JSON body ({@code to}, {@code from},
 * {@code text}, a bearer token when one is set). 2xx is sent; 408, 429 and 5xx are retried; any
 * other 4xx cannot succeed by retrying and gives the message up. The gateway's response body is
 * never read into a log or the table: it may echo the message.
 */
final class SmsGatewayDelivery implements Delivery {
  private final WebClient client;
  private final OutboxConfig.Sms sms;
  private final long timeoutMs;

  SmsGatewayDelivery(Vertx vertx, OutboxConfig config) {
    this.sms = config.sms();
    this.timeoutMs = config.sendTimeout().toMillis();
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions().setConnectTimeout((int) timeoutMs).setUserAgent("bulwark-sms"),
            new PoolOptions().setHttp1MaxSize(Math.max(1, Math.min(config.batchSize(), 32))));
  }

  @Override
  public Future<Void> deliver(OutboundMessage m) {
    HttpRequest<Buffer> request = client.postAbs(sms.gatewayUrl()).timeout(timeoutMs);
    Future<HttpResponse<Buffer>> sent;
    if (sms.adapter() == OutboxConfig.SmsAdapter.TWILIO) {
      request.basicAuthentication(sms.username(), sms.token());
      MultiMap form =
          MultiMap.caseInsensitiveMultiMap().add("To", m.recipient()).add("Body", m.body());
      if (sms.from() != null) {
        form.add("From", sms.from());
      }
      sent = request.sendForm(form);
    } else {
      if (sms.token() != null) {
        request.bearerTokenAuthentication(sms.token());
      }
      JsonObject body = new JsonObject().put("to", m.recipient()).put("text", m.body());
      if (sms.from() != null) {
        body.put("from", sms.from());
      }
      sent = request.sendJsonObject(body);
    }
    return sent.recover(
            err ->
                Future.failedFuture(
                    DeliveryFailure.transientFailure(
                        "sms gateway: " + err.getClass().getSimpleName())))
        .compose(SmsGatewayDelivery::outcome);
  }

  private static Future<Void> outcome(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return Future.succeededFuture();
    }
    String reason = "sms gateway answered " + status;
    if (status == 408 || status == 429 || status >= 500) {
      return Future.failedFuture(DeliveryFailure.transientFailure(reason));
    }
    return Future.failedFuture(DeliveryFailure.permanent(reason));
  }

  Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }
}
