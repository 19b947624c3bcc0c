package dev.bulwark.testing;

import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
}
