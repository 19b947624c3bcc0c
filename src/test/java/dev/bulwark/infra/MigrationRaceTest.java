package dev.bulwark.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.DatabaseUrl;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Replicas started at once on an empty database migrate it once (Flyway's advisory lock), and a
 * server told not to migrate refuses to start on a schema that is behind.
 */
class MigrationRaceTest {

  @Test
  void twoInstancesMigratingAnEmptyDatabaseAtOnceApplyEachVersionOnce() throws Exception {
    String url = TestServices.get().freshDatabaseUrl();
    Vertx one = Vertx.vertx();
    Vertx two = Vertx.vertx();
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      runs.add(Migrations.migrate(one, DatabaseUrl.parse(url)));
      runs.add(Migrations.migrate(two, DatabaseUrl.parse(url)));
      Future.all(runs).await(120, TimeUnit.SECONDS);
      int applied = runs.get(0).result() + runs.get(1).result();
      try (Connection c = TestServices.get().jdbc(url);
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT version, count(*), bool_and(success) FROM flyway_schema_history"
                      + " WHERE version IS NOT NULL GROUP BY version")) {
        int versions = 0;
        while (rs.next()) {
          versions++;
          assertEquals(1, rs.getInt(2), "version " + rs.getString(1) + " applied once");
          assertTrue(rs.getBoolean(3), "version " + rs.getString(1) + " succeeded");
        }
        assertTrue(versions > 5, "the whole schema is there");
        assertEquals(versions, applied, "between them the two runs applied each version once");
      }
    } finally {
      one.close().await();
      two.close().await();
    }
  }

  @Test
  void aServerThatDoesNotMigrateRefusesASchemaThatIsBehindAndStartsOnACurrentOne()
      throws Exception {
    String url = TestServices.get().freshDatabaseUrl();
    Map<String, String> env = TestServer.baseEnv();
    env.put("DATABASE_URL", url);
    env.put("DATABASE_MIGRATE_ON_START", "false");
    IllegalStateException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalStateException.class, () -> TestServer.start(env, Map.of()).close());
    StringBuilder why = new StringBuilder();
    for (Throwable t = refused; t != null; t = t.getCause()) {
      why.append(t.getMessage()).append('\n');
    }
    assertTrue(why.toString().contains("schema is behind this build"), why.toString());
    assertTrue(why.toString().contains("bulwark migrate"), why.toString());
    try (Connection c = TestServices.get().jdbc(url);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_tables WHERE tablename = 'flyway_schema_history'")) {
      rs.next();
      assertEquals(0, rs.getInt(1), "nothing was migrated");
    }

    Vertx vertx = Vertx.vertx();
    try {
      Migrations.migrate(vertx, DatabaseUrl.parse(url)).await(120, TimeUnit.SECONDS);
    } finally {
      vertx.close().await();
    }
    try (TestServer server = TestServer.start(env, Map.of())) {
      assertEquals(200, server.get("/ready").statusCode());
    }
  }
}
