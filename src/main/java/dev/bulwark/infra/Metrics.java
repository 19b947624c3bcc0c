package dev.bulwark.infra;

import dev.bulwark.config.MetricsConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.tracing.TracingOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Prometheus metrics. Vert.x instruments HTTP (latency histogram and counts per route, method,
 * status), the Postgres pool (in use, queue), the event bus and the JVM; Bulwark adds its own
 * events: hasher queue depth and busy rejections, refresh rotations and reuse detections, login
 * failures and lockouts, Redis errors, event-loop lag.
 */
public final class Metrics {
  /** Application events, counted process-wide with contention-free adders. */
  public enum Event {
    REFRESH_ROTATED,
    REFRESH_REPLAYED,
    REFRESH_REUSE_DETECTED,
    LOGIN_SUCCEEDED,
    LOGIN_FAILED,
    ACCOUNT_LOCKED,
    REDIS_ERROR,
    RATE_LIMIT_ALLOWED,
    RATE_LIMIT_REJECTED,
    RATE_LIMIT_FALLBACK,
    MFA_ENROLLED,
    MFA_ACTIVATED,
    MFA_REMOVED,
    MFA_SUCCEEDED,
    MFA_FAILED,
    MFA_REPLAY_REFUSED,
    MFA_RECOVERY_CODE_USED,
    MFA_LOCKED
  }

  /** The label every non-standard HTTP method is counted under. */
  public static final String OTHER_METHOD = "OTHER";

  private static final Set<String> STANDARD_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");

  private static final Map<Event, LongAdder> EVENTS = new ConcurrentHashMap<>();
  private static final Map<String, Long> LOOP_LAG_NANOS = new ConcurrentHashMap<>();
  private static final Map<String, LongAdder> RATE_LIMITED_BY_POLICY = new ConcurrentHashMap<>();
  private static volatile MeterRegistry policyRegistry;

  static {
    for (Event e : Event.values()) {
      EVENTS.put(e, new LongAdder());
    }
  }

  private Metrics() {}

  public static void count(Event event) {
    EVENTS.get(event).increment();
  }

  public static long total(Event event) {
    return EVENTS.get(event).sum();
  }

  /**
   * A 429 {@code rate_limited} answered under {@code policy} (a configured rule and its window, so
   * the series stay bounded); each policy's series is registered the first time it refuses.
   */
  public static void rateLimited(String policy) {
    LongAdder n = RATE_LIMITED_BY_POLICY.get(policy);
    if (n == null) {
      n = firstRefusal(policy);
    }
    n.increment();
  }

  private static synchronized LongAdder firstRefusal(String policy) {
    LongAdder n = RATE_LIMITED_BY_POLICY.get(policy);
    if (n == null) {
      n = new LongAdder();
      RATE_LIMITED_BY_POLICY.put(policy, n);
      registerPolicy(policyRegistry, policy, n);
    }
    return n;
  }

  private static void registerPolicy(MeterRegistry registry, String policy, LongAdder n) {
    if (registry != null) {
      FunctionCounter.builder("bulwark_rate_limited", n, LongAdder::sum)
          .tag("policy", policy)
          .description(
              "requests refused with 429 rate_limited, by the policy (rule-window) refusing")
          .register(registry);
    }
  }

  private static final long LAG_PERIOD_NANOS = 500_000_000L;

  /**
   * Measures how late the calling event loop runs a timer (the lag every handler on it would see),
   * every half second; returns the timer to cancel. Call it on the loop to measure.
   */
  public static long startLagProbe(Vertx vertx) {
    String loop = Thread.currentThread().getName();
    long[] expected = {System.nanoTime() + LAG_PERIOD_NANOS};
    return vertx.setPeriodic(
        LAG_PERIOD_NANOS / 1_000_000,
        id -> {
          long now = System.nanoTime();
          eventLoopLag(loop, Math.max(0, now - expected[0]));
          expected[0] = now + LAG_PERIOD_NANOS;
        });
  }

  /** Latest measured scheduling delay of one event loop. */
  public static void eventLoopLag(String loop, long nanos) {
    LOOP_LAG_NANOS.put(loop, nanos);
  }

  /**
   * A Vert.x instrumented as {@code config} says. Disabled: a plain Vert.x, so no registry exists
   * and no meter is ever created or updated. Enabled: a Prometheus registry named {@code
   * registryName} whose HTTP method label only takes the standard methods, so clients cannot mint
   * new series by sending made-up method names.
   */
  public static Vertx vertx(String registryName, MetricsConfig config) {
    return vertx(registryName, config, null);
  }

  /**
   * As above, traced through {@code tracing} when it is not null; with null, Vert.x gets no tracer
   * at all (and the span counters stay at zero).
   */
  public static Vertx vertx(String registryName, MetricsConfig config, Tracing tracing) {
    VertxOptions base = new VertxOptions().setPreferNativeTransport(true);
    if (tracing != null) {
      base.setTracingOptions(new TracingOptions());
    }
    if (!config.enabled()) {
      var builder = Vertx.builder().with(base);
      return (tracing == null ? builder : builder.withTracer(tracing.factory())).build();
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry
        .config()
        .meterFilter(
            MeterFilter.replaceTagValues(Label.HTTP_METHOD.toString(), Metrics::methodLabel));
    MicrometerMetricsOptions options =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setRegistryName(registryName)
            // the API's HTTP meters are recorded by its router (http.HttpServerMeters)
            .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
            .setJvmMetricsEnabled(true)
            .setLabels(
                EnumSet.of(
                    Label.HTTP_ROUTE,
                    Label.HTTP_METHOD,
                    Label.HTTP_CODE,
                    Label.POOL_TYPE,
                    Label.POOL_NAME,
                    Label.CLIENT_NAME))
            .setPrometheusOptions(
                new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true));
    var builder =
        Vertx.builder()
            .with(base.setMetricsOptions(options))
            .withMetrics(new MicrometerMetricsFactory(registry));
    Vertx vertx = (tracing == null ? builder : builder.withTracer(tracing.factory())).build();
    Tracing.bindMetrics(registryName, tracing);
    return vertx;
  }

  /** The label value for a request's method: itself when standard, else {@value #OTHER_METHOD}. */
  static String methodLabel(String method) {
    return STANDARD_METHODS.contains(method) ? method : OTHER_METHOD;
  }

  /**
   * Registers, on the Vert.x registry of that name, one {@code bulwark_problems_total} series per
   * (status, code) it is given; a no-op when metrics are off.
   */
  public static void problemCounter(String registryName, int status, String code, LongAdder n) {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    if (registry == null) {
      return;
    }
    FunctionCounter.builder("bulwark_problems", n, LongAdder::sum)
        .tag("status", Integer.toString(status))
        .tag("code", code)
        .description("problem responses answered, by status and stable code")
        .register(registry);
  }

  /** The hasher's two readings, in one object its gauge holds strongly (see {@link #bind}). */
  private record HasherReadings(LongSupplier outstanding, LongSupplier rejected) {}

  /**
   * Registers Bulwark's own meters on the Vert.x registry of that name. Micrometer keeps only a
   * weak reference to a meter's object, and a method reference such as {@code hasher::outstanding}
   * is an object nothing else holds: after the first garbage collection the gauge read NaN and the
   * counter froze. So both meters read one holder that the gauge keeps strongly (a function counter
   * cannot).
   */
  public static void bind(
      String registryName, LongSupplier hasherOutstanding, LongSupplier hasherRejected) {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    if (registry == null) {
      return;
    }
    HasherReadings hasher = new HasherReadings(hasherOutstanding, hasherRejected);
    Gauge.builder("bulwark_hasher_outstanding", hasher, h -> h.outstanding().getAsLong())
        .description("bcrypt requests queued or running")
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder("bulwark_hasher_rejected", hasher, h -> h.rejected().getAsLong())
        .description("bcrypt requests refused because the queue was full (503 server_busy)")
        .register(registry);
    for (Event e : Event.values()) {
      FunctionCounter.builder("bulwark_events", EVENTS.get(e), LongAdder::sum)
          .tag("event", e.name().toLowerCase(java.util.Locale.ROOT))
          .description("security and session events")
          .register(registry);
    }
    Gauge.builder(
            "bulwark_event_loop_lag_max_seconds",
            LOOP_LAG_NANOS,
            lags -> lags.values().stream().mapToLong(Long::longValue).max().orElse(0) / 1e9)
        .description("largest recent scheduling delay of an event loop")
        .register(registry);
    synchronized (Metrics.class) {
      policyRegistry = registry;
      RATE_LIMITED_BY_POLICY.forEach((policy, n) -> registerPolicy(registry, policy, n));
    }
  }
}
