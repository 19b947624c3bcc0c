package dev.bulwark.testing;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Blocking waits for tests (never used on an event loop): a hung future fails the test instead of
 * hanging it.
 */
public final class Await {
  private Await() {}

  public static <T> T result(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("timed out after 30 s", e);
    }
  }

  /**
   * Polls {@code probe} every 50 ms until it gives a non-null value (returned), for at most 30 s:
   * for what arrives asynchronously (a scrape's lazily registered series, an exported span, a
   * report).
   */
  public static <T> T until(Supplier<T> probe) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("nothing arrived within 30 s");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
