package dev.bulwark.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.OutboxConfig;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.LogCapture;
import dev.bulwark.testing.StandInGateway;
import dev.bulwark.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outbox against a real HTTP server standing in for the SMS gateway: a backlog drains, a
 * gateway that answers 500 or never answers is retried with nothing lost, a message the gateway
 * refuses or that never gets through is given up with an audit event, and a sent message keeps no
 * body. Each test uses recipients of its own.
 */
class OutboxDeliveryTest {
  private static StandInGateway gateway;
  private static TestServer server;
  private static Pool pg;

  @BeforeAll
  static void start() {
    gateway = new StandInGateway();
    Map<String, String> env = TestServer.baseEnv();
    // a database of its own: every other live test server runs an outbox sender on the shared one
    env.put("DATABASE_URL", dev.bulwark.testing.TestServices.get().freshDatabaseUrl());
    env.put("SMS_GATEWAY_URL", gateway.url());
    env.put("SMS_GATEWAY_ADAPTER", "json");
    env.put("SMS_GATEWAY_TOKEN", "gateway-test-token");
    env.put("SMS_FROM", "Civic");
    Map<String, String> props = new HashMap<>();
    props.put("outbox.pollInterval", "50ms");
    props.put("outbox.baseBackoff", "50ms");
    props.put("outbox.maxBackoff", "200ms");
    props.put("outbox.maxAttempts", "4");
    props.put("outbox.sendTimeout", "300ms");
    props.put("outbox.batchSize", "25");
    server = TestServer.start(env, props);
    pg = server.app().pg();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    gateway.close();
  }

  private static String number() {
    return "+4479" + String.format("%08d", Math.abs(UUID.randomUUID().hashCode()) % 100_000_000);
  }

  private static void enqueue(String to, String text) {
    Await.result(OutboxRepository.enqueue(pg, NewMessage.sms(to, text)));
  }

  private static Row row(String to) {
    return Await.result(
            pg.preparedQuery(
                    "SELECT attempts, sent_at, expired_at, body, last_error FROM outbound_messages WHERE recipient = $1")
                .execute(Tuple.of(to)))
        .iterator()
        .next();
  }

  private static long audited(String to) {
    return Await.result(
            pg.preparedQuery(
                    """
                    SELECT count(*) FROM audit_events a JOIN outbound_messages m
                      ON (a.details->>'message_id')::bigint = m.id
                     WHERE a.event_type = 'outbound_message_expired' AND m.recipient = $1""")
                .execute(Tuple.of(to)))
        .iterator()
        .next()
        .getLong(0);
  }

  private static void eventually(BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void aBacklogOfTwoHundredDrainsCompletelyAndKeepsNoBodies() {
    List<String> numbers = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String n = number();
      numbers.add(n);
      enqueue(n, "Your code is " + (100000 + i));
    }
    eventually(
        () -> numbers.stream().allMatch(n -> gateway.deliveredTo(n) >= 1),
        "all 200 reached the gateway");
    eventually(() -> numbers.stream().allMatch(n -> row(n).getValue(1) != null), "all 200 settled");
    for (String n : numbers) {
      assertEquals(1, gateway.deliveredTo(n), "delivered once: " + n);
      assertNull(row(n).getString(3), "the body is cleared once sent");
    }
    StandInGateway.Received first =
        gateway.received.stream().filter(r -> r.to().equals(numbers.get(0))).findFirst().get();
    assertEquals("Bearer gateway-test-token", first.authorization());
    assertEquals("Civic", first.from());
    assertTrue(first.contentType().startsWith("application/json"));
  }

  @Test
  void aGatewayAnswering500IsRetriedUntilItRecovers() {
    String to = number();
    gateway.behaviour = n -> n.equals(to) && gateway.attempts(to) <= 2 ? 500 : 200;
    enqueue(to, "Your code is 424242");
    eventually(() -> row(to).getValue(1) != null, "sent after the gateway recovered");
    assertEquals(3, row(to).getInteger(0), "two failures, then the third attempt");
    assertEquals(1, gateway.deliveredTo(to));
    gateway.behaviour = n -> 200;
  }

  @Test
  void aGatewayThatNeverAnswersIsRetriedAfterTheTimeout() {
    String to = number();
    gateway.behaviour = n -> n.equals(to) && gateway.attempts(to) == 1 ? StandInGateway.HANG : 200;
    enqueue(to, "Your code is 515151");
    eventually(() -> row(to).getValue(1) != null, "sent on the second attempt");
    assertEquals(2, row(to).getInteger(0));
    gateway.behaviour = n -> 200;
  }

  @Test
  void aRefusedMessageIsGivenUpAtOnceWithAnAuditEvent() {
    String to = number();
    gateway.behaviour = n -> n.equals(to) ? 400 : 200;
    enqueue(to, "Your code is 616161");
    eventually(() -> row(to).getValue(2) != null, "expired");
    assertEquals(1, row(to).getInteger(0), "a 400 is not retried");
    assertNull(row(to).getString(3), "an expired message keeps no body");
    assertEquals("sms gateway answered 400", row(to).getString(4), "no gateway body is kept");
    assertEquals(1, audited(to));
    gateway.behaviour = n -> 200;
  }

  @Test
  void aMessageThatNeverGetsThroughExpiresAfterMaxAttempts() {
    String to = number();
    gateway.behaviour = n -> n.equals(to) ? 503 : 200;
    enqueue(to, "Your code is 717171");
    eventually(() -> row(to).getValue(2) != null, "expired");
    assertEquals(4, row(to).getInteger(0));
    assertEquals(4, gateway.attempts(to));
    assertEquals(1, audited(to));
    gateway.behaviour = n -> 200;
  }

  @Test
  void aMessageStuckPastItsMaximumAgeExpiresWithAnAuditEvent() {
    String to = number();
    // as if queued two days ago and never deliverable since (its next attempt far away)
    Await.result(
        pg.preparedQuery(
                """
                INSERT INTO outbound_messages (kind, recipient, body, created_at, next_attempt_at, attempts)
                VALUES ('sms', $1, 'Your code is 818181', now() - interval '2 days', now() + interval '1 day', 3)""")
            .execute(Tuple.of(to)));
    eventually(() -> row(to).getValue(2) != null, "expired by age");
    assertEquals(0, gateway.attempts(to));
    assertEquals(1, audited(to));
  }

  @Test
  void settledMessagesArePurgedAfterTheRetentionAndNothingUnsentIs() {
    String old = number();
    String recent = number();
    String unsent = number();
    Await.result(
        pg.preparedQuery(
                """
                INSERT INTO outbound_messages (kind, recipient, created_at, sent_at, expired_at, next_attempt_at)
                VALUES ('sms', $1, now() - interval '9 days', now() - interval '8 days', NULL, now()),
                       ('sms', $2, now() - interval '2 days', now() - interval '1 day', NULL, now()),
                       ('sms', $3, now() - interval '9 days', NULL, NULL, now() + interval '1 day')""")
            .execute(Tuple.of(old, recent, unsent)));
    int purged =
        Await.result(OutboxRepository.purgeSettled(pg, Duration.ofDays(7).toSeconds(), 1000));
    assertTrue(purged >= 1, "purged " + purged);
    long left =
        Await.result(
                pg.preparedQuery(
                        "SELECT count(*) FROM outbound_messages WHERE recipient IN ($1, $2, $3)")
                    .execute(Tuple.of(old, recent, unsent)))
            .iterator()
            .next()
            .getLong(0);
    assertEquals(2, left, "the recent sent message and the unsent one stay");
  }

  @Test
  void theTwilioAdapterPostsAFormWithBasicAuthAndNeverLogsTheBody() {
    LogCapture logs = LogCapture.attach();
    Vertx vertx = Vertx.vertx();
    try {
      OutboxConfig config =
          new OutboxConfig(
              Duration.ofSeconds(1),
              10,
              Duration.ofSeconds(60),
              3,
              Duration.ofSeconds(1),
              Duration.ofSeconds(10),
              Duration.ofHours(1),
              null,
              "x <x@example.com>",
              Duration.ofSeconds(2),
              new OutboxConfig.Sms(
                  gateway.url(),
                  OutboxConfig.SmsAdapter.TWILIO,
                  "AC123",
                  "secret-token",
                  "+15550001"),
              Duration.ofDays(7));
      SmsGatewayDelivery twilio = new SmsGatewayDelivery(vertx, config);
      String to = number();
      Await.result(
          twilio.deliver(new OutboundMessage(1, "sms", to, null, "Your code is 909090", 1)));
      StandInGateway.Received r =
          gateway.received.stream().filter(x -> x.to().equals(to)).findFirst().get();
      assertEquals("Your code is 909090", r.text());
      assertEquals("+15550001", r.from());
      assertTrue(r.contentType().startsWith("application/x-www-form-urlencoded"));
      assertEquals(
          "Basic "
              + java.util.Base64.getEncoder()
                  .encodeToString(
                      "AC123:secret-token".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
          r.authorization());

      String refused = number();
      gateway.behaviour = n -> n.equals(refused) ? 500 : 200;
      Throwable err =
          Await.result(
              twilio
                  .deliver(new OutboundMessage(2, "sms", refused, null, "Your code is 919191", 1))
                  .transform(ar -> io.vertx.core.Future.succeededFuture(ar.cause())));
      assertTrue(err instanceof DeliveryFailure f && !f.isPermanent(), String.valueOf(err));
      assertFalse(err.getMessage().contains("919191"), "the gateway echoed the body; not kept");
      assertFalse(
          logs.lines().stream().anyMatch(l -> l.contains("909090") || l.contains("919191")));
    } finally {
      gateway.behaviour = n -> 200;
      logs.detach();
      Await.result(vertx.close());
    }
  }
}
