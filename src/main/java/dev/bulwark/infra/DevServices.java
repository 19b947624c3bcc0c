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
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * Embedded PostgreSQL 17 and Redis for development: real server binaries from Maven artifacts, data
 * kept under {@code devServices.dataDir} so it survives restarts. Only what the configuration
 * leaves without a URL is started. Every method here blocks; call it from a worker thread or {@code
 * main}.
 *
 * <p>Stopping is bounded: a server that has not stopped {@link #STOP_TIMEOUT} after being asked
 * (Redis refuses SIGTERM when it cannot write its final save, e.g. with its data folder deleted;
 * pg_ctl cannot stop a server whose folder is gone) is terminated, then killed, by its process id,
 * so the JVM exits and leaves nothing running.
 */
public final class DevServices implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DevServices.class);

  static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);

  private EmbeddedPostgres postgres;
  private ProcessHandle postmaster;
  private RedisServer redis;
  private ProcessHandle redisProcess;

  /** Starts what is needed and returns the configuration with both URLs filled in. */
  public BulwarkConfig start(BulwarkConfig config) {
    DevServicesConfig dev = config.devServices();
    DatabaseUrl dbUrl = config.database().url();
    String redisUrl = config.redis().url();
    try {
      if (config.needsEmbeddedPostgres()) {
        dbUrl = startPostgres(dev.dataDir().resolve("postgres"), dev.postgresPort());
        log.info(
            "Embedded PostgreSQL started: {} (data in {})",
            dbUrl.redacted(),
            dev.dataDir().resolve("postgres"));
      }
      if (config.needsEmbeddedRedis()) {
        redisUrl = startRedis(dev.dataDir().resolve("redis"), dev.redisPort());
        log.info(
            "Embedded Redis started: {} (data in {})", redisUrl, dev.dataDir().resolve("redis"));
      }
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("embedded services failed to start: " + e.getMessage(), e);
    }
    return config.withServices(dbUrl, redisUrl);
  }

  private DatabaseUrl startPostgres(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir);
    postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDir)
            .setCleanDataDirectory(false)
            .setPort(port)
            .setRegisterShutdownHook(false)
            .setPGStartupWait(Duration.ofSeconds(60))
            .setServerConfig("max_connections", "200")
            .start();
    postmaster = postmasterOf(dataDir);
    return new DatabaseUrl(
        "127.0.0.1", postgres.getPort(), "postgres", "postgres", null, "disable");
  }

  private String startRedis(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir);
    redis =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            .setting("dir " + dataDir)
            .setting("appendonly yes")
            .setting("save 60 1000")
            // read what the server prints, or a full pipe would stall it
            .soutListener(line -> log.debug("redis: {}", line))
            .serrListener(line -> log.debug("redis: {}", line))
            .build();
    Set<Long> before = childPids();
    redis.start();
    redisProcess =
        ProcessHandle.current()
            .children()
            .filter(
                p ->
                    !before.contains(p.pid())
                        && p.info().command().map(c -> c.contains("redis")).orElse(false))
            .findFirst()
            .orElse(null);
    return "redis://127.0.0.1:" + port;
  }

  private static Set<Long> childPids() {
    return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
  }

  /**
   * pg_ctl starts the postmaster detached from this JVM; its id is the first line of
   * postmaster.pid.
   */
  private static ProcessHandle postmasterOf(Path dataDir) {
    try {
      long pid =
          Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
      return ProcessHandle.of(pid).orElse(null);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "Embedded PostgreSQL's process id is unknown ({}); stopping it is left to pg_ctl",
          e.toString());
      return null;
    }
  }

  public boolean isRunningAny() {
    return postgres != null || redis != null;
  }

  /** Stops whatever this instance started, each within a bound; safe to call twice. */
  @Override
  public void close() {
    if (redis != null) {
      RedisServer server = redis;
      stop("Embedded Redis", server::stop, redisProcess);
      redis = null;
    }
    if (postgres != null) {
      EmbeddedPostgres server = postgres;
      stop("Embedded PostgreSQL", server::close, postmaster);
      postgres = null;
    }
  }

  private interface Stop {
    void run() throws IOException;
  }

  /**
   * Asks {@code stop} (on a thread of its own) for up to {@link #STOP_TIMEOUT}, then ends {@code
   * process} itself.
   */
  private static void stop(String name, Stop stop, ProcessHandle process) {
    Thread stopper =
        new Thread(
            () -> {
              try {
                stop.run();
              } catch (IOException | RuntimeException e) {
                log.warn("{} did not stop cleanly: {}", name, e.getMessage());
              }
            },
            "dev-services-stop");
    stopper.setDaemon(true);
    stopper.start();
    try {
      stopper.join(STOP_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (process == null || !process.isAlive()) {
      log.info("{} stopped", name);
      return;
    }
    log.warn(
        "{} (pid {}) is still running after being asked to stop; terminating it",
        name,
        process.pid());
    if (!endWithin(process, false) && !endWithin(process, true)) {
      log.error("{} (pid {}) could not be killed", name, process.pid());
    }
  }

  private static boolean endWithin(ProcessHandle process, boolean forcibly) {
    if (forcibly) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
    try {
      process.onExit().get(KILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }
}
