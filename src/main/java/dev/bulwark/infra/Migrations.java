package dev.bulwark.infra;

import dev.bulwark.config.DatabaseUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.flywaydb.core.Flyway;
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
}
