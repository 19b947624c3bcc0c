package dev.bulwark.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.bulwark.core.FixedTimeouts;
import dev.bulwark.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gate's shared connection, against the real (embedded) Redis of the test run. */
class MultiplexedRedisTest {
  private static Vertx vertx;
  private static Redis client;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    client =
        Redis.createClient(
            vertx,
            new RedisOptions()
                .setConnectionString(TestServices.get().redisUrl())
                .setMaxPoolSize(4)
                .setMaxWaitingHandlers(1024));
  }

  @AfterAll
  static void stop() throws Exception {
    client.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Runs {@code body} on one event loop, as a verticle's requests would, and waits for it. */
  private static <T> T onLoop(java.util.function.Function<MultiplexedRedis, Future<T>> body)
      throws Exception {
    Promise<T> done = Promise.promise();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                body.apply(new MultiplexedRedis(client, new FixedTimeouts(vertx, 2_000)))
                    .onComplete(done));
    return done.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  void hundredsOfConcurrentCommandsShareOneConnectionAndEachGetsItsOwnAnswer() throws Exception {
    String key = "mux-test:" + UUID.randomUUID();
    List<Long> answers =
        onLoop(
            redis -> {
              List<Future<Response>> sent = new ArrayList<>();
              for (int i = 0; i < 500; i++) {
                sent.add(redis.send(Request.cmd(Command.INCR).arg(key)));
              }
              Future<List<Long>> all =
                  Future.all(sent)
                      .map(
                          f -> {
                            List<Long> out = new ArrayList<>();
                            for (Future<Response> r : sent) {
                              out.add(r.result().toLong());
                            }
                            return out;
                          });
              // and every one of them on the same connection: Redis numbers its clients
              return all.compose(
                  values ->
                      Future.all(
                              redis.send(Request.cmd(Command.CLIENT).arg("ID")),
                              redis.send(Request.cmd(Command.CLIENT).arg("ID")))
                          .map(
                              ids -> {
                                assertEquals(
                                    ids.<Response>resultAt(0).toLong(),
                                    ids.<Response>resultAt(1).toLong());
                                redis.close();
                                return values;
                              }));
            });
    for (int i = 0; i < 500; i++) {
      assertEquals(i + 1, answers.get(i), "answers arrive in the order the commands were sent");
    }
  }

  @Test
  void aConnectionKilledByTheServerIsReplacedOnTheNextCommand() throws Exception {
    long[] ids =
        onLoop(
            redis ->
                redis
                    .send(Request.cmd(Command.CLIENT).arg("ID"))
                    .compose(
                        first ->
                            // another connection kills this one, as a Redis restart or failover
                            // would
                            client
                                .send(
                                    Request.cmd(Command.CLIENT)
                                        .arg("KILL")
                                        .arg("ID")
                                        .arg(first.toLong()))
                                .compose(killed -> waitForClose(redis, first.toLong(), 50))
                                .map(second -> new long[] {first.toLong(), second})));
    assertNotEquals(ids[0], ids[1], "a new connection serves the commands after the kill");
  }

  @Test
  void aCommandRedisDoesNotAnswerInTimeFailsWithATimeoutAndTheNextOneIsServed() throws Exception {
    String key = "mux-test:" + UUID.randomUUID();
    List<Object> outcomes =
        onLoop(
            redis -> {
              // BLPOP on an empty list holds this connection's answers for 5 s: past the 2 s
              // timeout
              Future<Response> held = redis.send(Request.cmd(Command.BLPOP).arg(key).arg(5));
              return held.transform(
                  ar ->
                      // a command on another connection of the client is served at once; it also
                      // ends the BLPOP, so the connection goes back to the pool free
                      client
                          .send(Request.cmd(Command.LPUSH).arg(key).arg("release"))
                          .map(
                              pushed -> {
                                redis.close();
                                return List.<Object>of(
                                    ar.failed() ? ar.cause() : "answered", pushed.toLong());
                              }));
            });
    assertInstanceOf(java.util.concurrent.TimeoutException.class, outcomes.get(0));
    assertEquals(1L, outcomes.get(1));
  }

  /**
   * Sends CLIENT ID every 20 ms until a command succeeds on a connection other than {@code old}.
   */
  private static Future<Long> waitForClose(MultiplexedRedis redis, long old, int attempts) {
    return redis
        .send(Request.cmd(Command.CLIENT).arg("ID"))
        .map(Response::toLong)
        .recover(err -> Future.succeededFuture(old))
        .compose(
            id ->
                id != old || attempts == 0
                    ? Future.succeededFuture(id)
                    : vertx.timer(20).compose(t -> waitForClose(redis, old, attempts - 1)));
  }
}
