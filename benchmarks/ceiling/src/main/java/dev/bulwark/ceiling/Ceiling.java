package dev.bulwark.ceiling;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code java -jar ceiling.jar}: one {@link CeilingVerticle} per event loop, each with its own PostgreSQL pool, Redis
 * connection and MACs, so a request is served start to end on the loop that accepted it. Stops on SIGTERM.
 */
public final class Ceiling {
  private static final Logger log = Logger.getLogger(Ceiling.class.getName());

  private Ceiling() {
  }

  public static void main(String[] args) {
    Settings settings;
    try {
      settings = Settings.from(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("ceiling: " + e.getMessage());
      System.exit(2);
      return;
    }
    Vertx vertx = Vertx.vertx(new VertxOptions()
        .setPreferNativeTransport(true)
        .setEventLoopPoolSize(settings.instances()));
    if (vertx.isNativeTransportEnabled()) {
      log.info("transport: native (" + ((VertxInternal) vertx).transport().getClass().getSimpleName() + ")");
    } else {
      log.warning("transport: NIO — native transport unavailable: " + vertx.unavailableNativeTransportCause());
    }
    try {
      vertx.deployVerticle(() -> new CeilingVerticle(settings), new DeploymentOptions().setInstances(settings.instances()))
          .await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.log(Level.SEVERE, "ceiling failed to start", e);
      vertx.close();
      System.exit(1);
      return;
    }
    log.info("ceiling listening on " + settings.httpPort() + ": " + settings.instances() + " verticle(s), "
        + settings.poolPerVerticle() + " PostgreSQL connection(s) and 1 Redis connection each");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warning("close: " + e);
      }
    }, "ceiling-shutdown"));
  }
}
