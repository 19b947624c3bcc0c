package dev.bulwark.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 */
public final class WorkerNiceness {
  private static final Logger log = LoggerFactory.getLogger(WorkerNiceness.class);

  private final int niceness;
  private final ThreadLocal<Boolean> applied = ThreadLocal.withInitial(() -> false);
  private final AtomicBoolean warned = new AtomicBoolean();

  public WorkerNiceness(int niceness) {
    this.niceness = niceness;
  }

  /**
   * Called on a worker thread before its CPU-bound work; a no-op after the first call on that
   * thread.
   */
  void applyToCurrentThread() {
    if (niceness == 0 || applied.get()) {
      return;
    }
    applied.set(true);
    try {
      String tid = threadId();
      Process renice =
          new ProcessBuilder("renice", "-n", Integer.toString(niceness), "-p", tid)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!renice.waitFor(5, TimeUnit.SECONDS) || renice.exitValue() != 0) {
        renice.destroyForcibly();
        warnOnce("renice exited with " + (renice.isAlive() ? "a timeout" : renice.exitValue()));
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
