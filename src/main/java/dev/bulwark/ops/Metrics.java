package dev.bulwark.ops;

import dev.bulwark.auth.PasswordHasher;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Prometheus metrics. Vert.x instruments HTTP (latency histogram and counts per route, method, status), the
 * Postgres pool (in use, queue), the event bus and the JVM; Bulwark adds its own events: hasher queue depth and
 * busy rejections, refresh rotations and reuse detections, login failures and lockouts, Redis errors, event-loop lag.
 */
public final class Metrics {
  /** Application events, counted process-wide with contention-free adders. */
  public enum Event {
    REFRESH_ROTATED, REFRESH_REPLAYED, REFRESH_REUSE_DETECTED, LOGIN_SUCCEEDED, LOGIN_FAILED, ACCOUNT_LOCKED, REDIS_ERROR,
    RATE_LIMIT_ALLOWED, RATE_LIMIT_REJECTED, RATE_LIMIT_FALLBACK
  }

  private static final Map<Event, LongAdder> EVENTS = new ConcurrentHashMap<>();
  private static final Map<String, Long> LOOP_LAG_NANOS = new ConcurrentHashMap<>();

  static {
    for (Event e : Event.values()) {
      EVENTS.put(e, new LongAdder());
    }
  }

  private Metrics() {
  }

  public static void count(Event event) {
    EVENTS.get(event).increment();
  }

  public static long total(Event event) {
    return EVENTS.get(event).sum();
  }

  /** Latest measured scheduling delay of one event loop. */
  public static void eventLoopLag(String loop, long nanos) {
    LOOP_LAG_NANOS.put(loop, nanos);
  }

  public static VertxOptions vertxOptions(String registryName) {
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName(registryName)
        .setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE, Label.POOL_NAME,
            Label.CLIENT_NAME))
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true)));
  }

  /** Registers Bulwark's own meters on the Vert.x registry of that name. */
  public static void bind(String registryName, PasswordHasher hasher) {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    if (registry == null) {
      return;
    }
    Gauge.builder("bulwark_hasher_outstanding", hasher, PasswordHasher::outstanding)
        .description("bcrypt requests queued or running").register(registry);
    FunctionCounter.builder("bulwark_hasher_rejected", hasher, PasswordHasher::rejectedTotal)
        .description("bcrypt requests refused because the queue was full (503 server_busy)").register(registry);
    for (Event e : Event.values()) {
      FunctionCounter.builder("bulwark_events", EVENTS.get(e), LongAdder::sum)
          .tag("event", e.name().toLowerCase(java.util.Locale.ROOT))
          .description("security and session events").register(registry);
    }
    Gauge.builder("bulwark_event_loop_lag_max_seconds", LOOP_LAG_NANOS,
            lags -> lags.values().stream().mapToLong(Long::longValue).max().orElse(0) / 1e9)
        .description("largest recent scheduling delay of an event loop").register(registry);
  }
}
