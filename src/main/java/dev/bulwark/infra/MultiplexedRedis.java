package dev.bulwark.infra;

import dev.bulwark.core.FixedTimeouts;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * One Redis connection that every request of one event loop shares: commands are pipelined on it
 * (Redis answers in order), so a command costs no pool lease and no hand-back. The hot path (the
 * gate's one script call per request) goes through this; everything else uses the pooled {@code
 * client} it wraps, which also makes this connection.
 *
 * <p>Every command through it fails with a {@link java.util.concurrent.TimeoutException} when Redis
 * has not answered within the command timeout, tracked by {@link FixedTimeouts} (no timer per
 * command).
 *
 * <p>Confined to the event loop of the verticle that created {@code client}: no locks. When the
 * connection fails or ends, the next command makes a new one; commands in flight fail with the
 * connection, as they would on a pooled one. Closing this closes the connection only; the client
 * belongs to whoever made it.
 */
public final class MultiplexedRedis implements Redis {
  private final Redis client;
  private final FixedTimeouts timeouts;
  private RedisConnection connection;
  private Future<RedisConnection> connecting;

  /** {@code timeouts}: the command timeout, of the loop this is confined to. */
  public MultiplexedRedis(Redis client, FixedTimeouts timeouts) {
    this.client = client;
    this.timeouts = timeouts;
  }

  @Override
  public Future<Response> send(Request command) {
    RedisConnection c = connection;
    return timeouts.bound(
        c != null ? c.send(command) : connection().compose(conn -> conn.send(command)));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    RedisConnection c = connection;
    return timeouts.bound(
        c != null ? c.batch(commands) : connection().compose(conn -> conn.batch(commands)));
  }

  /** A connection of the wrapped client's own pool, for a caller that needs one to itself. */
  @Override
  public Future<RedisConnection> connect() {
    return client.connect();
  }

  @Override
  public Future<Void> close() {
    RedisConnection c = connection;
    forget(c);
    return c == null ? Future.succeededFuture() : c.close();
  }

  /** Called when there is no connection: the one being made, or a new one. */
  private Future<RedisConnection> connection() {
    if (connecting == null) {
      connecting =
          client
              .connect()
              .andThen(
                  ar -> {
                    connecting = null;
                    if (ar.succeeded()) {
                      RedisConnection c = ar.result();
                      c.exceptionHandler(e -> forget(c));
                      c.endHandler(v -> forget(c));
                      connection = c;
                    }
                  });
    }
    return connecting;
  }

  private void forget(RedisConnection c) {
    if (c != null && connection == c) {
      connection = null;
    }
  }
}
