package dev.bulwark.outbox;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The outbox's meters, counted process-wide per message kind (a bounded set: the kinds a delivery
 * is registered for): queued, sent, failed attempts, expired; and the age of the oldest unsent
 * message, as the sender last measured it — the number an alert watches.
 */
public final class OutboxMetrics {
  /**
   * What happened to a message, and the counter it goes to (Prometheus adds {@code _total}: the
   * names OPERATIONS.md documents).
   */
  enum Outcome {
    QUEUED("bulwark_outbox_queued", "outbound messages queued, per kind"),
    SENT("bulwark_outbox_sent", "outbound messages sent, per kind"),
    FAILED("bulwark_outbox_failed", "outbound delivery attempts failed, per kind"),
    EXPIRED("bulwark_outbox_expired", "outbound messages given up, per kind");

    final String meter;
    final String description;

    Outcome(String meter, String description) {
      this.meter = meter;
      this.description = description;
    }
  }

  private static final Map<String, Map<Outcome, LongAdder>> COUNTS = new ConcurrentHashMap<>();
  private static final AtomicLong OLDEST_UNSENT_MILLIS = new AtomicLong();
  private static final LongAdder SMS_BUDGET_EXHAUSTED = new LongAdder();

  private OutboxMetrics() {}

  private static Map<Outcome, LongAdder> of(String kind) {
    return COUNTS.computeIfAbsent(
        kind,
        k -> {
          Map<Outcome, LongAdder> m = new EnumMap<>(Outcome.class);
          for (Outcome o : Outcome.values()) {
            m.put(o, new LongAdder());
          }
          return m;
        });
  }

  static void queued(String kind) {
    of(kind).get(Outcome.QUEUED).increment();
  }

  static void count(String kind, Outcome outcome) {
    of(kind).get(outcome).increment();
  }

  /** The process-wide count of one outcome for one kind (tests and the drain benchmark read it). */
  public static long total(String kind, String outcome) {
    return of(kind).get(Outcome.valueOf(outcome.toUpperCase(Locale.ROOT))).sum();
  }

  /** A code request refused because the global hourly SMS budget was spent. */
  public static void smsBudgetExhausted() {
    SMS_BUDGET_EXHAUSTED.increment();
  }

  static void oldestUnsent(double seconds) {
    OLDEST_UNSENT_MILLIS.set(Math.round(seconds * 1000));
  }

  /** Registers the outbox's meters for {@code kinds} on the Vert.x registry of that name. */
  public static void bind(String registryName, Collection<String> kinds) {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    if (registry == null) {
      return;
    }
    for (String kind : kinds) {
      Map<Outcome, LongAdder> counts = of(kind);
      for (Outcome o : Outcome.values()) {
        FunctionCounter.builder(o.meter, counts.get(o), LongAdder::sum)
            .tag("kind", kind)
            .description(o.description)
            .register(registry);
      }
    }
    FunctionCounter.builder("bulwark_sms_budget_exhausted", SMS_BUDGET_EXHAUSTED, LongAdder::sum)
        .description("SMS code requests refused: the hourly SMS budget was spent (503)")
        .register(registry);
    Gauge.builder("bulwark_outbox_oldest_unsent_seconds", OLDEST_UNSENT_MILLIS, a -> a.get() / 1e3)
        .description("age of the oldest message not yet sent nor expired")
        .register(registry);
  }
}
