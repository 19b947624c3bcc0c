package dev.bulwark;

import dev.bulwark.config.ShutdownConfig;
import java.time.Duration;

/**
 * The last resort of a graceful stop: if the process is still alive well after everything was given
 * its time (drain, grace period, pools, embedded services), it halts. A stuck shutdown hook or a
 * service that ignores its signals never keeps the process, and the orchestrator waiting on it,
 * alive.
 */
final class ShutdownWatchdog {
  /**
   * Beyond drain + grace: closing Vert.x (10 s), stopping embedded services (up to 40 s), and a
   * margin.
   */
  private static final Duration AFTER_GRACE = Duration.ofSeconds(70);

  private ShutdownWatchdog() {}

  static Duration deadline(ShutdownConfig shutdown) {
    return shutdown.drainDelay().plus(shutdown.gracePeriod()).plus(AFTER_GRACE);
  }

  static void start(Duration deadline) {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(deadline.toMillis());
              } catch (InterruptedException e) {
                return;
              }
              System.err.println(
                  "Bulwark did not stop within " + deadline.toSeconds() + " s of SIGTERM; halting");
              Runtime.getRuntime().halt(Main.EXIT_FAILED);
            },
            "bulwark-shutdown-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
