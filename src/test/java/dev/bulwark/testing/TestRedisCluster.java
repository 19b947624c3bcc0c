package dev.bulwark.testing;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import redis.embedded.RedisServer;

/**
 * A real three-master Redis Cluster: three {@code redis-server} processes (the embedded binary)
 * with {@code cluster-enabled yes}, the 16,384 slots split between them by this class ({@code
 * CLUSTER ADDSLOTS}, {@code CLUSTER MEET}) and {@code cluster_state:ok} awaited. Each node keeps
 * its {@code nodes.conf} in a directory of its own, so a master stopped with {@link #stop} and
 * started again with {@link #restart} rejoins with its identity and slots.
 */
public final class TestRedisCluster implements AutoCloseable {
  public static final int SLOTS = 16_384;
  private final Path dir;
  private final int[] ports = new int[3];
  private final RedisServer[] servers = new RedisServer[3];
  private final Vertx vertx = Vertx.vertx();

  private TestRedisCluster() throws IOException {
    dir = Files.createTempDirectory("bulwark-redis-cluster");
    for (int i = 0; i < 3; i++) {
      ports[i] = TestServices.freePort();
      servers[i] = start(i);
    }
  }

  /** Starts the nodes, assigns the slots and waits for the cluster to say it is ok. */
  public static TestRedisCluster start() {
    try {
      TestRedisCluster cluster = new TestRedisCluster();
      cluster.form();
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private RedisServer start(int node) throws IOException {
    Path nodeDir = dir.resolve("node" + node);
    Files.createDirectories(nodeDir);
    RedisServer server =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(ports[node])
            .setting("save \"\"")
            .setting("appendonly no")
            .setting("dir " + nodeDir)
            .setting("cluster-enabled yes")
            .setting("cluster-config-file " + nodeDir.resolve("nodes.conf"))
            .setting("cluster-node-timeout 1000")
            .build();
    server.start();
    return server;
  }

  private void form() {
    for (int i = 0; i < 3; i++) {
      int from = i * SLOTS / 3;
      int to = (i + 1) * SLOTS / 3;
      Request add = Request.cmd(Command.CLUSTER).arg("ADDSLOTS");
      for (int s = from; s < to; s++) {
        add.arg(s);
      }
      send(i, add);
    }
    for (int i = 1; i < 3; i++) {
      send(0, Request.cmd(Command.CLUSTER).arg("MEET").arg("127.0.0.1").arg(ports[i]));
    }
    awaitState("ok");
  }

  /** Polls every node until each reports {@code cluster_state:<state>}. */
  public void awaitState(String state) {
    for (int attempt = 0; attempt < 300; attempt++) {
      boolean all = true;
      for (int i = 0; i < 3; i++) {
        if (servers[i] == null || !servers[i].isActive()) {
          continue;
        }
        String info;
        try {
          info = send(i, Request.cmd(Command.CLUSTER).arg("INFO"));
        } catch (RuntimeException e) {
          all = false;
          continue;
        }
        all &= info.contains("cluster_state:" + state);
      }
      if (all) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException("the Redis Cluster never reached cluster_state:" + state);
  }

  /**
   * One command to one node, directly (not through the cluster client); an error reply is an {@link
   * IllegalStateException}.
   */
  public String send(int node, Request request) {
    Redis redis = Redis.createClient(vertx, "redis://127.0.0.1:" + ports[node]);
    try {
      var reply = Await.result(redis.send(request));
      return reply == null ? null : reply.toString();
    } catch (Throwable error) {
      // a Redis error reply (MOVED, ASK, …) is a Throwable that is not an Exception
      throw new IllegalStateException(error.getMessage(), error);
    } finally {
      redis.close();
    }
  }

  /** The node index serving {@code key}'s slot. */
  public int nodeOf(String key) {
    long slot = Long.parseLong(send(0, Request.cmd(Command.CLUSTER).arg("KEYSLOT").arg(key)));
    return (int) (slot * 3 / SLOTS);
  }

  /** The node that serves {@code key} now (the others answer MOVED), after any migration. */
  public int nodeOfSlotOwner(String key) {
    for (int i = 0; i < 3; i++) {
      try {
        send(i, Request.cmd(Command.EXISTS).arg(key));
        return i;
      } catch (RuntimeException moved) {
        // not this node's slot
      }
    }
    return -1;
  }

  /** The {@code redis-cluster://} URL naming every node as a seed. */
  public String url() {
    List<String> hosts = new ArrayList<>();
    for (int port : ports) {
      hosts.add("127.0.0.1:" + port);
    }
    return "redis-cluster://" + String.join(",", hosts);
  }

  public int port(int node) {
    return ports[node];
  }

  /** Kills one master (its slots become unreachable). */
  public void stop(int node) {
    try {
      servers[node].stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts a stopped master again on its port, with its nodes.conf: it rejoins with its slots. */
  public void restart(int node) {
    try {
      servers[node] = start(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitState("ok");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    for (RedisServer server : servers) {
      try {
        if (server != null && server.isActive()) {
          server.stop();
        }
      } catch (IOException ignored) {
        // the test is over
      }
    }
    vertx.close();
  }
}
