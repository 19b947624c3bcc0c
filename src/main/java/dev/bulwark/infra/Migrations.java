package dev.bulwark.infra;

import dev.bulwark.config.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flyway over JDBC. Blocking by nature, so it only ever runs on a worker thread via {@code
 * executeBlocking}.
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  public static Future<Integer> migrate(Vertx vertx, DatabaseUrl url) {
    return vertx.executeBlocking(
        () -> {
          Flyway flyway =
              Flyway.configure()
                  .dataSource(url.jdbcUrl(), url.user(), url.password())
                  .locations("classpath:db/migration")
                  .connectRetries(10)
                  .load();
          // Flyway holds a PostgreSQL advisory lock while it migrates: instances started at once
          // on an empty database apply each version once, the others wait and find nothing to do
          MigrateResult result = flyway.migrate();
          log.info(
              "Database schema at version {} ({} migration(s) applied)",
              result.targetSchemaVersion == null
                  ? flyway.info().current().getVersion()
                  : result.targetSchemaVersion,
              result.migrationsExecuted);
          return result.migrationsExecuted;
        },
        false);
  }

  /**
   * For a server that does not migrate ({@code database.migrateOnStart: false}): fails, naming the
   * first pending version, unless the schema is at the latest this build knows. {@code pgbouncer}:
   * JDBC sends unnamed statements only, as PgBouncer's transaction mode needs.
   */
  public static Future<Void> requireCurrent(Vertx vertx, DatabaseUrl url, boolean pgbouncer) {
    return vertx.executeBlocking(
        () -> {
          String jdbc = pgbouncer ? url.jdbcUrl() + "&prepareThreshold=0" : url.jdbcUrl();
          Flyway flyway =
              Flyway.configure()
                  .dataSource(jdbc, url.user(), url.password())
                  .locations("classpath:db/migration")
                  .connectRetries(10)
                  .load();
          MigrationInfo[] pending = flyway.info().pending();
          if (pending.length > 0) {
            throw new IllegalStateException(
                "the database schema is behind this build: version "
                    + pending[0].getVersion()
                    + " and "
                    + (pending.length - 1)
                    + " more pending. Run `bulwark migrate` (the migration Job) first, or set"
                    + " DATABASE_MIGRATE_ON_START=true");
          }
          return null;
        },
        false);
  }
}
