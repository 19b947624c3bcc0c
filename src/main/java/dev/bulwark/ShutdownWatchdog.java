package dev.bulwark;

import dev.bulwark.config.ShutdownConfig;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort of a graceful stop: if the process is still alive well after everything was given
 * its time (drain, grace period, pools, embedded services), it halts. A stuck shutdown hook or a
 * service that ignores its signals never keeps the process, and the orchestrator waiting on it,
 * alive.
 */
final class ShutdownWatchdog {
  private static final Logger log = LoggerFactory.getLogger(ShutdownWatchdog.class);

  /**
   * Beyond drain + grace: closing Vert.x (10 s), stopping embedded services (up to 40 s), and a
   * margin.
   */
  private static final Duration AFTER_GRACE = Duration.ofSeconds(70);

  private ShutdownWatchdog() {}

  static Duration deadline(ShutdownConfig shutdown) {
    return shutdown.drainDelay().plus(shutdown.gracePeriod()).plus(AFTER_GRACE);
  }

  /**
   * Starts the countdown on a thread of its own (never an event loop: waiting out the deadline is
   * its whole job), daemon so that a stop that does finish is not held up by it.
   */
  static void start(Duration deadline) {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(deadline.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              log.error(
                  "Bulwark did not stop within {} s of SIGTERM; halting", deadline.toSeconds());
              Runtime.getRuntime().halt(Main.EXIT_FAILED);
            },
            "bulwark-shutdown-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
