package dev.bulwark.infra;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.DatabaseUrl;
import dev.bulwark.config.DevServicesConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * Embedded PostgreSQL 17 and Redis for development: real server binaries from Maven artifacts, data kept under
 * {@code devServices.dataDir} so it survives restarts. Only what the configuration leaves without a URL is started.
 * Every method here blocks; call it from a worker thread or {@code main}.
 */
public final class DevServices implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DevServices.class);

  private EmbeddedPostgres postgres;
  private RedisServer redis;

  /** Starts what is needed and returns the configuration with both URLs filled in. */
  public BulwarkConfig start(BulwarkConfig config) {
    DevServicesConfig dev = config.devServices();
    DatabaseUrl dbUrl = config.database().url();
    String redisUrl = config.redis().url();
    try {
      if (config.needsEmbeddedPostgres()) {
        dbUrl = startPostgres(dev.dataDir().resolve("postgres"), dev.postgresPort());
        log.info("Embedded PostgreSQL started: {} (data in {})", dbUrl.redacted(), dev.dataDir().resolve("postgres"));
      }
      if (config.needsEmbeddedRedis()) {
        redisUrl = startRedis(dev.dataDir().resolve("redis"), dev.redisPort());
        log.info("Embedded Redis started: {} (data in {})", redisUrl, dev.dataDir().resolve("redis"));
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("embedded services failed to start: " + e.getMessage(), e);
    }
    return config.withServices(dbUrl, redisUrl);
  }

  private DatabaseUrl startPostgres(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir);
    postgres = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setRegisterShutdownHook(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        .setServerConfig("max_connections", "200")
        .start();
    return new DatabaseUrl("127.0.0.1", postgres.getPort(), "postgres", "postgres", null, "disable");
  }

  private String startRedis(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir);
    redis = RedisServer.newRedisServer()
        .bind("127.0.0.1")
        .port(port)
        .setting("dir " + dataDir)
        .setting("appendonly yes")
        .setting("save 60 1000")
        .build();
    redis.start();
    return "redis://127.0.0.1:" + port;
  }

  public boolean isRunningAny() {
    return postgres != null || redis != null;
  }

  /** Stops whatever this instance started; safe to call twice. */
  @Override
  public void close() {
    if (redis != null) {
      try {
        redis.stop();
        log.info("Embedded Redis stopped");
      } catch (IOException e) {
        log.warn("Embedded Redis did not stop cleanly: {}", e.getMessage());
      }
      redis = null;
    }
    if (postgres != null) {
      try {
        postgres.close();
        log.info("Embedded PostgreSQL stopped");
      } catch (IOException e) {
        log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
      postgres = null;
    }
  }
}
