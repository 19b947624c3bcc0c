package dev.bulwark;

import ch.qos.logback.classic.LoggerContext;
import dev.bulwark.admin.AdminCommand;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.EffectiveConfig;
import dev.bulwark.config.Preflight;
import dev.bulwark.http.ClientAddress;
import dev.bulwark.infra.DevServices;
import dev.bulwark.infra.Metrics;
import dev.bulwark.infra.Migrations;
import dev.bulwark.infra.PostgresPool;
import dev.bulwark.infra.Tracing;
import dev.bulwark.ops.Seeder;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code java -jar bulwark.jar [serve|migrate|check-config|seed|admin]}: load and validate config →
 * (development) start embedded services → migrate → deploy. Blocking waits happen here on the main
 * thread only, never on an event loop.
 */
public final class Main {
  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_BAD_CONFIG = 2;
  static final int EXIT_USAGE = 64;
  static final String METRICS_REGISTRY = "bulwark";

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    System.setProperty(
        "vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
    Map<String, String> props = new HashMap<>();
    System.getProperties().forEach((k, v) -> props.put(k.toString(), v.toString()));
    int code = run(args, System.getenv(), props);
    if (code >= 0) {
      stopLogging();
      System.exit(code);
    }
  }

  /**
   * Runs a command; returns an exit code, or -1 when the server is up and the JVM should keep
   * running.
   */
  static int run(String[] args, Map<String, String> env, Map<String, String> props) {
    String command = args.length == 0 ? "serve" : args[0];
    Path confDir = ConfigLoader.defaultConfDir(env);
    switch (command) {
      case "check-config" -> {
        return checkConfig(confDir, env, props);
      }
      case "serve", "migrate", "seed", "admin" -> {
        BulwarkConfig config;
        try {
          config = loadConfig(confDir, env, props);
        } catch (ConfigException e) {
          System.err.println("Bulwark refused to start: " + e.getMessage());
          return EXIT_BAD_CONFIG;
        }
        if (command.equals("seed")) {
          return seedCommand(List.of(args).subList(1, args.length), config);
        }
        if (command.equals("admin")) {
          LoggingSetup.apply(config.logging());
          return AdminCommand.run(
              List.of(args).subList(1, args.length),
              config,
              env,
              System.in,
              System.out,
              System.err);
        }
        LoggingSetup.apply(config.logging(), config.tracing().enabled());
        return command.equals("migrate") ? migrate(config) : serve(config);
      }
      default -> {
        System.err.println("usage: java -jar bulwark.jar [serve|migrate|check-config|seed|admin]");
        return EXIT_USAGE;
      }
    }
  }

  /** {@code seed [options]}: bad options are a usage error (64) before anything starts. */
  private static int seedCommand(List<String> arguments, BulwarkConfig config) {
    Seeder.Options options;
    try {
      options = Seeder.parse(arguments, config.tasks().quotaPerUser());
    } catch (Seeder.UsageException e) {
      System.err.println("seed: " + e.getMessage());
      System.err.println(Seeder.USAGE);
      return EXIT_USAGE;
    }
    String refusal = Seeder.refusal(config.environment(), options);
    if (refusal != null) {
      System.err.println("seed: " + refusal);
      return EXIT_BAD_CONFIG;
    }
    if (config.environment().isStrict()) {
      System.err.println(
          "seed: seeding under the "
              + config.environment().id()
              + " profile because "
              + Seeder.ALLOW_PRODUCTION_PROFILE
              + " was given");
    }
    LoggingSetup.apply(config.logging());
    return seed(config, options);
  }

  /**
   * Config is read on a short-lived Vert.x: the serving one is created afterwards with its metrics
   * options.
   */
  private static BulwarkConfig loadConfig(
      Path confDir, Map<String, String> env, Map<String, String> props) {
    Vertx bootstrap = Vertx.vertx();
    try {
      return new ConfigLoader(bootstrap, confDir).load(env, props).await();
    } finally {
      bootstrap.close().await();
    }
  }

  /**
   * Prints the effective configuration (secrets redacted) and the preflight verdict; exit 0 when it
   * would start.
   */
  private static int checkConfig(Path confDir, Map<String, String> env, Map<String, String> props) {
    Vertx bootstrap = Vertx.vertx();
    try {
      ConfigLoader loader = new ConfigLoader(bootstrap, confDir);
      System.out.println(
          EffectiveConfig.redacted(loader.loadEffective(env, props).await()).encodePrettily());
      try {
        BulwarkConfig config = loader.load(env, props).await();
        Preflight.warnings(config).forEach(w -> System.out.println("preflight warning: " + w));
        System.out.println("preflight: OK (" + config.environment().id() + ")");
        return EXIT_OK;
      } catch (ConfigException e) {
        System.out.println("preflight: REFUSED — " + e.getMessage());
        return EXIT_FAILED;
      }
    } finally {
      bootstrap.close().await();
    }
  }

  private static int migrate(BulwarkConfig config) {
    Vertx vertx = Vertx.vertx();
    DevServices dev = new DevServices();
    try {
      BulwarkConfig resolved = dev.start(config);
      int applied = Migrations.migrate(vertx, resolved.database().url()).await();
      log.info("migrate: {} migration(s) applied", applied);
      return EXIT_OK;
    } catch (Exception e) {
      log.error("migrate failed: {}", e.getMessage(), e);
      return EXIT_FAILED;
    } finally {
      dev.close();
      vertx.close().await();
    }
  }

  /** Benchmark data (see {@link Seeder}): migrations first, then the batches, on this thread. */
  private static int seed(BulwarkConfig config, Seeder.Options options) {
    Vertx vertx = Vertx.vertx();
    DevServices dev = new DevServices();
    Pool pg = null;
    try {
      BulwarkConfig resolved = dev.start(config);
      Migrations.migrate(vertx, resolved.database().url()).await();
      pg = PostgresPool.create(vertx, resolved.database());
      Seeder.Result result = Seeder.run(vertx, pg, resolved, options);
      System.out.println(Seeder.describe(result));
      return EXIT_OK;
    } catch (Exception e) {
      log.error("seed failed: {}", e.getMessage(), e);
      return EXIT_FAILED;
    } finally {
      if (pg != null) {
        pg.close().await();
      }
      dev.close();
      vertx.close().await();
    }
  }

  private static int serve(BulwarkConfig config) {
    Tracing tracing =
        Tracing.create(
            config.tracing(),
            new ClientAddress(config.rateLimit().trustedProxies())::isTrustedProxy);
    Vertx vertx = Metrics.vertx(METRICS_REGISTRY, config.metrics(), tracing);
    DevServices dev = new DevServices();
    try {
      BulwarkConfig resolved = dev.start(config);
      Bulwark app = Bulwark.start(vertx, resolved, dev.isRunningAny(), METRICS_REGISTRY).await();
      onTermination(
          () -> shutdown(vertx, app, dev, tracing), ShutdownWatchdog.deadline(resolved.shutdown()));
      return -1;
    } catch (Exception e) {
      Throwable cause = e instanceof IllegalStateException ? null : e;
      log.error("Bulwark failed to start: {}", e.getMessage(), cause);
      dev.close();
      vertx.close().await();
      if (tracing != null) {
        tracing.close();
      }
      return EXIT_FAILED;
    }
  }

  /**
   * SIGTERM and SIGINT run the graceful shutdown and exit 0 (a plain shutdown hook would leave the
   * JVM's exit status at 143); a shutdown hook still covers any other way the JVM ends. Past {@code
   * deadline} the process halts whatever is still stopping.
   */
  private static void onTermination(Runnable shutdown, java.time.Duration deadline) {
    AtomicBoolean done = new AtomicBoolean();
    Runnable once =
        () -> {
          if (done.compareAndSet(false, true)) {
            shutdown.run();
          }
        };
    // The signal's own thread is a daemon: once Vert.x has closed, nothing else would keep the JVM
    // alive to finish
    // (stopping embedded services); a non-daemon thread does, and the watchdog bounds it.
    SignalHandler exitClean =
        signal -> {
          ShutdownWatchdog.start(deadline);
          Thread stopping =
              new Thread(
                  () -> {
                    once.run();
                    System.exit(EXIT_OK);
                  },
                  "bulwark-stop");
          stopping.setDaemon(false);
          stopping.start();
        };
    Signal.handle(new Signal("TERM"), exitClean);
    Signal.handle(new Signal("INT"), exitClean);
    Runtime.getRuntime().addShutdownHook(new Thread(once, "bulwark-shutdown"));
  }

  private static void shutdown(Vertx vertx, Bulwark app, DevServices dev, Tracing tracing) {
    log.info("Shutting down: draining");
    try {
      long bound =
          app.config()
              .shutdown()
              .gracePeriod()
              .plus(app.config().shutdown().drainDelay())
              .plusSeconds(10)
              .toMillis();
      app.stop().await(bound, TimeUnit.MILLISECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Shutdown was not clean: {}", e.toString());
    } finally {
      dev.close();
      if (tracing != null) {
        tracing.close();
      }
      log.info("Stopped");
      stopLogging();
    }
  }

  private static void stopLogging() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }
}
