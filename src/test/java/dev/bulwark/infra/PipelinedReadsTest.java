package dev.bulwark.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.DatabaseConfig;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hot path's reads are pipelined ({@code database.readConnections}): a burst of statements on
 * one connection is all in flight at once, where the pool lends that connection to one statement at
 * a time and makes the rest wait (or refuses them when the wait queue is full). Against the test
 * PostgreSQL, over TCP.
 */
class PipelinedReadsTest {
  private static final int BURST = 20;
  private static Vertx vertx;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  /** The test services' environment ({@link TestServer#baseEnv}) with {@code given} on top. */
  private static BulwarkConfig load(Map<String, String> given) {
    Map<String, String> env = TestServer.baseEnv();
    env.putAll(given);
    return Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, Map.of()));
  }

  /** {@code BURST} statements at once, each answering its backend's pid; their outcomes. */
  private static List<Future<Integer>> burst(SqlClient sql) {
    List<Future<Integer>> pids = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      pids.add(
          sql.preparedQuery("SELECT pg_backend_pid()")
              .execute()
              .map(rows -> rows.iterator().next())
              .map((Row r) -> r.getInteger(0)));
    }
    Await.result(Future.join(pids).otherwiseEmpty());
    return pids;
  }

  @Test
  void onePipelinedConnectionCarriesABurstThatAPoolOfOneWouldRefuse() {
    DatabaseConfig db = load(Map.of()).database();
    // no wait queue: a statement that cannot be sent at once is refused
    SqlClient reads = PostgresPool.createPipelined(vertx, db, "test-reads", 1, 0);
    Pool pool = PostgresPool.create(vertx, db, "test-pool", 1, 0);
    try {
      // each opens its one connection first: a statement waiting for a connection to be made waits
      Await.result(reads.query("SELECT 1").execute());
      Await.result(pool.query("SELECT 1").execute());
      List<Future<Integer>> pipelined = burst(reads);
      Set<Integer> backends = new HashSet<>();
      for (Future<Integer> f : pipelined) {
        assertTrue(f.succeeded(), () -> "pipelined statement failed: " + f.cause());
        backends.add(f.result());
      }
      assertEquals(1, backends.size(), "all on one connection");

      long refused = burst(pool).stream().filter(Future::failed).count();
      assertTrue(refused > 0, "the pool lends its one connection to one statement at a time");
    } finally {
      reads.close().await();
      pool.close().await();
    }
  }

  @Test
  void readConnectionsAreSplitBetweenVerticlesAtLeastOneEachAndOffBehindPgBouncer() {
    DatabaseConfig defaults = load(Map.of()).database();
    assertEquals(2, defaults.readConnections());
    assertEquals(1, defaults.readConnectionsPerVerticle(2));
    assertEquals(1, defaults.readConnectionsPerVerticle(8), "at least one per verticle");
    assertEquals(2, defaults.readConnectionsPerVerticle(1));

    DatabaseConfig five = load(Map.of("DATABASE_READ_CONNECTIONS", "5")).database();
    assertEquals(3, five.readConnectionsPerVerticle(2), "rounded up");

    DatabaseConfig off = load(Map.of("DATABASE_READ_CONNECTIONS", "0")).database();
    assertEquals(0, off.readConnectionsPerVerticle(2));

    DatabaseConfig bouncer = load(Map.of("DATABASE_PGBOUNCER", "true")).database();
    assertEquals(0, bouncer.readConnectionsPerVerticle(2), "PgBouncer: reads take the pool");
  }
}
