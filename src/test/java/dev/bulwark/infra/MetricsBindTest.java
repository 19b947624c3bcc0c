package dev.bulwark.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bulwark.config.MetricsConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.micrometer.backends.BackendRegistries;
import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The hasher's meters keep reading their suppliers after a garbage collection. The server binds
 * them with method references ({@code hasher::outstanding}), objects that only the meters hold;
 * Micrometer holds a meter's object weakly unless told otherwise, and under load the gauge read NaN
 * and the counter stayed at 0 while the server answered hundreds of 503 {@code server_busy}.
 */
class MetricsBindTest {

  @Test
  void hasherMetersSurviveGarbageCollection() throws InterruptedException {
    String name = "metrics-bind-test";
    Vertx vertx = Metrics.vertx(name, new MetricsConfig(true, 0, null));
    try {
      AtomicLong outstanding = new AtomicLong(3);
      AtomicLong rejected = new AtomicLong();
      // capturing method references: new objects, held by nothing but what bind keeps
      Metrics.bind(name, outstanding::get, rejected::get);
      collectGarbage();
      rejected.set(7);

      MeterRegistry registry = BackendRegistries.getNow(name);
      assertEquals(3.0, registry.get("bulwark_hasher_outstanding").gauge().value());
      assertEquals(7.0, registry.get("bulwark_hasher_rejected").functionCounter().count());
    } finally {
      vertx.close().await();
    }
  }

  /** Until an object only weakly reachable is gone: what the meters hold weakly is gone too. */
  private static void collectGarbage() throws InterruptedException {
    WeakReference<Object> sentinel = new WeakReference<>(new Object());
    for (int i = 0; i < 20 && sentinel.get() != null; i++) {
      System.gc();
      Thread.sleep(10);
    }
    assertNull(sentinel.get(), "no garbage collection happened");
  }
}
