package dev.bulwark.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the scheduling priority of the bcrypt worker threads (Linux {@code nice}), once per
 * thread, on that thread. bcrypt is pure CPU: when logins arrive faster than the cores can hash,
 * the hasher threads would otherwise take an equal share of the CPUs from the event loops and every
 * other route's latency would grow with the login rate. Java thread priorities do nothing on Linux,
 * so this asks the kernel directly ({@code renice} on the thread's id, which only ever lowers
 * priority and needs no privilege). Where that is impossible it logs once and changes nothing.
 *
 * <p>With {@code idle}, the threads go under Linux's {@code SCHED_IDLE} policy instead ({@code chrt
 * --idle}, which also needs no privilege): they run only on CPU time no other thread wants, and any
 * other thread that wakes preempts them at once. A nice value only weighs the share; on a kernel
 * whose scheduler lets a running thread finish its slice (EEVDF) a niced hasher still delays every
 * wake-up of an event loop by up to a slice.
 */
public final class WorkerNiceness {
  private static final Logger log = LoggerFactory.getLogger(WorkerNiceness.class);

  private final int niceness;
  private final boolean idle;
  private final ThreadLocal<Boolean> applied = ThreadLocal.withInitial(() -> false);
  private final AtomicBoolean warned = new AtomicBoolean();

  public WorkerNiceness(int niceness, boolean idle) {
    this.niceness = niceness;
    this.idle = idle;
  }

  /**
   * Called on a worker thread before its CPU-bound work; a no-op after the first call on that
   * thread.
   */
  void applyToCurrentThread() {
    if ((niceness == 0 && !idle) || applied.get()) {
      return;
    }
    applied.set(true);
    try {
      String tid = threadId();
      Process renice =
          new ProcessBuilder(
                  idle
                      ? List.of("chrt", "--idle", "-p", "0", tid)
                      : List.of("renice", "-n", Integer.toString(niceness), "-p", tid))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!renice.waitFor(5, TimeUnit.SECONDS) || renice.exitValue() != 0) {
        renice.destroyForcibly();
        warnOnce(
            (idle ? "chrt" : "renice")
                + " exited with "
                + (renice.isAlive() ? "a timeout" : renice.exitValue()));
      }
    } catch (IOException | RuntimeException e) {
      warnOnce(e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The kernel's id of the calling thread, from {@code /proc/thread-self} ({@code
   * <pid>/task/<tid>}).
   */
  private static String threadId() throws IOException {
    String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
    return link.substring(link.lastIndexOf('/') + 1);
  }

  private void warnOnce(String why) {
    if (warned.compareAndSet(false, true)) {
      log.warn(
          "could not lower the priority of bcrypt threads ({}); logins will compete with requests for CPU",
          why);
    }
  }
}
