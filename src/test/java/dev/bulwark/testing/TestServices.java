package dev.bulwark.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import redis.embedded.RedisServer;

/**
 * Real PostgreSQL 17 and Redis servers, started once per test JVM on free ports and stopped when it
 * exits. Tests reach them over TCP through the same {@code DATABASE_URL} / {@code REDIS_URL} code
 * path production uses.
 */
public final class TestServices {
  private static TestServices instance;
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final EmbeddedPostgres postgres;
  private final RedisServer redis;
  private final int redisPort;

  private TestServices() throws IOException {
    Path dir = Files.createTempDirectory("bulwark-test-pg");
    postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(dir)
            .setCleanDataDirectory(true)
            .setServerConfig("max_connections", "300")
            .setServerConfig("fsync", "off")
            .setServerConfig("synchronous_commit", "off")
            .start();
    redisPort = freePort();
    redis = startRedis(redisPort);
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "test-services-stop"));
  }

  public static synchronized TestServices get() {
    if (instance == null) {
      try {
        instance = new TestServices();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return instance;
  }

  /** The shared test database. */
  public String databaseUrl() {
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  /** A new, empty database on the shared server, for tests that need a schema of their own. */
  public String freshDatabaseUrl() {
    String name = "bulwark_t" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres",
                "postgres",
                null);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/" + name;
  }

  public Connection jdbc(String databaseUrl) throws SQLException {
    String db = databaseUrl.substring(databaseUrl.lastIndexOf('/') + 1);
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + db, "postgres", null);
  }

  public String redisUrl() {
    return "redis://127.0.0.1:" + redisPort;
  }

  public static RedisServer startRedis(int port) throws IOException {
    RedisServer server =
        RedisServer.newRedisServer().bind("127.0.0.1").port(port).setting("save \"\"").build();
    server.start();
    return server;
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void stop() {
    try {
      redis.stop();
    } catch (IOException ignored) {
      // the JVM is exiting
    }
    try {
      postgres.close();
    } catch (IOException ignored) {
      // the JVM is exiting
    }
  }
}
