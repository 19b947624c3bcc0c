package dev.bulwark;

import ch.qos.logback.classic.LoggerContext;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.infra.DevServices;
import dev.bulwark.infra.Migrations;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar bulwark.jar [serve|migrate]}: load and validate config → (development) start embedded services →
 * migrate → deploy. Blocking waits happen here on the main thread only, never on an event loop.
 */
public final class Main {
  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_BAD_CONFIG = 2;
  static final int EXIT_USAGE = 64;

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    Map<String, String> props = new HashMap<>();
    System.getProperties().forEach((k, v) -> props.put(k.toString(), v.toString()));
    int code = run(args, System.getenv(), props);
    if (code >= 0) {
      stopLogging();
      System.exit(code);
    }
  }

  /** Runs a command; returns an exit code, or -1 when the server is up and the JVM should keep running. */
  static int run(String[] args, Map<String, String> env, Map<String, String> props) {
    String command = args.length == 0 ? "serve" : args[0];
    if (!command.equals("serve") && !command.equals("migrate")) {
      System.err.println("usage: java -jar bulwark.jar [serve|migrate]");
      return EXIT_USAGE;
    }
    Vertx vertx = Vertx.vertx();
    BulwarkConfig config;
    try {
      config = new ConfigLoader(vertx, ConfigLoader.defaultConfDir(env)).load(env, props).await();
    } catch (ConfigException e) {
      System.err.println("Bulwark refused to start: " + e.getMessage());
      vertx.close().await();
      return EXIT_BAD_CONFIG;
    }
    LoggingSetup.apply(config.logging());

    DevServices dev = new DevServices();
    try {
      BulwarkConfig resolved = dev.start(config);
      if (command.equals("migrate")) {
        int applied = Migrations.migrate(vertx, resolved.database().url()).await();
        log.info("migrate: {} migration(s) applied", applied);
        dev.close();
        vertx.close().await();
        return EXIT_OK;
      }
      Bulwark app = Bulwark.start(vertx, resolved, dev.isRunningAny()).await();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(vertx, app, dev), "bulwark-shutdown"));
      return -1;
    } catch (Exception e) {
      Throwable cause = e instanceof IllegalStateException ? null : e;
      log.error("Bulwark failed to start: {}", e.getMessage(), cause);
      dev.close();
      vertx.close().await();
      return EXIT_FAILED;
    }
  }

  private static void shutdown(Vertx vertx, Bulwark app, DevServices dev) {
    log.info("Shutting down");
    try {
      app.stop().await(30, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Shutdown was not clean: {}", e.toString());
    } finally {
      dev.close();
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
