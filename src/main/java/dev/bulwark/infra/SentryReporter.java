package dev.bulwark.infra;

import dev.bulwark.config.ErrorReportingConfig;
import dev.bulwark.core.FailureReporter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sentry.SentryClient;
import io.sentry.SentryEvent;
import io.sentry.SentryLevel;
import io.sentry.SentryOptions;
import io.sentry.protocol.Message;
import io.sentry.protocol.SentryException;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unexpected failures to Sentry, off the event loop and bounded: the caller only takes a token from
 * a per-minute bucket and queues the failure (both non-blocking; a report that finds no token or a
 * full queue is counted and dropped); one daemon thread builds the event and hands it to the SDK's
 * own asynchronous transport, which has a bounded queue and short timeouts of its own. Events carry
 * release, environment, source and the given tags, never a request (no body, no headers), no user
 * and no breadcrumbs; exception messages are scrubbed of emails and token-like strings.
 */
public final class SentryReporter implements FailureReporter {
  private static final Logger log = LoggerFactory.getLogger(SentryReporter.class);
  private static final int QUEUE = 64;
  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
  private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+\\S+");

  /** JWTs, and long runs of base64url or hex: tokens, keys, hashes. */
  private static final Pattern TOKEN =
      Pattern.compile(
          "eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*|[A-Za-z0-9_+/=-]{32,}|[0-9a-fA-F]{32,}");

  private final SentryClient client;
  private final TokenBucket bucket;
  private final ThreadPoolExecutor executor;
  private final LongAdder sent = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder dropped = new LongAdder();

  private SentryReporter(ErrorReportingConfig config, String release) {
    SentryOptions options = new SentryOptions();
    options.setDsn(config.dsn());
    options.setEnvironment(config.environment());
    options.setRelease(config.release() != null ? config.release() : "bulwark@" + release);
    options.setSendDefaultPii(false);
    options.setMaxBreadcrumbs(0);
    options.setAttachThreads(false);
    options.setAttachStacktrace(false);
    options.setConnectionTimeoutMillis(2000);
    options.setReadTimeoutMillis(2000);
    options.setMaxQueueSize(QUEUE);
    options.setShutdownTimeoutMillis(2000);
    options.setFlushTimeoutMillis(2000);
    options.setBeforeSend((event, hint) -> scrub(event));
    this.client = new SentryClient(options);
    this.bucket = new TokenBucket(config.maxEventsPerMinute());
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "bulwark-error-reports");
              t.setDaemon(true);
              return t;
            },
            (r, pool) -> {
              throw new RejectedExecutionException();
            });
  }

  /** A reporter to Sentry when {@code config} has a DSN; otherwise one that counts nothing. */
  public static FailureReporter create(ErrorReportingConfig config, String release) {
    return config.enabled() ? new SentryReporter(config, release) : FailureReporter.NONE;
  }

  @Override
  public void report(Throwable failure, String source, Map<String, String> tags) {
    if (!bucket.take(System.nanoTime())) {
      rateLimited.increment();
      return;
    }
    try {
      executor.execute(() -> capture(failure, source, tags));
    } catch (RejectedExecutionException e) {
      dropped.increment();
    }
  }

  private void capture(Throwable failure, String source, Map<String, String> tags) {
    try {
      SentryEvent event = new SentryEvent(failure);
      event.setLevel(SentryLevel.ERROR);
      event.setTag("source", source);
      tags.forEach(
          (k, v) -> {
            if (v != null) {
              event.setTag(k, v);
            }
          });
      client.captureEvent(event);
      sent.increment();
    } catch (RuntimeException e) {
      dropped.increment();
      log.warn("an error report could not be sent: {}", e.toString());
    }
  }

  /** What leaves the process: no request, user, breadcrumbs or extras; messages scrubbed. */
  static SentryEvent scrub(SentryEvent event) {
    event.setRequest(null);
    event.setUser(null);
    event.setBreadcrumbs(null);
    event.setExtras(null);
    event.setServerName(null);
    Message message = event.getMessage();
    if (message != null) {
      message.setFormatted(scrub(message.getFormatted()));
      message.setMessage(scrub(message.getMessage()));
      message.setParams(null);
    }
    List<SentryException> exceptions = event.getExceptions();
    if (exceptions != null) {
      for (SentryException e : exceptions) {
        e.setValue(scrub(e.getValue()));
      }
    }
    return event;
  }

  static String scrub(String text) {
    if (text == null) {
      return null;
    }
    String out = EMAIL.matcher(text).replaceAll("[email]");
    out = BEARER.matcher(out).replaceAll("Bearer [token]");
    return TOKEN.matcher(out).replaceAll("[token]");
  }

  /**
   * Registers {@code bulwark_error_reports_total{outcome}} on the registry of that name: sent,
   * rate_limited, dropped. A no-op when metrics are off; zero series when reporting is off.
   */
  public static void bindMetrics(String registryName, FailureReporter reporter) {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    if (registry == null) {
      return;
    }
    SentryReporter sentry = reporter instanceof SentryReporter s ? s : null;
    register(registry, "sent", sentry == null ? new LongAdder() : sentry.sent);
    register(registry, "rate_limited", sentry == null ? new LongAdder() : sentry.rateLimited);
    register(registry, "dropped", sentry == null ? new LongAdder() : sentry.dropped);
  }

  private static void register(MeterRegistry registry, String outcome, LongAdder n) {
    FunctionCounter.builder("bulwark_error_reports", n, LongAdder::sum)
        .tag("outcome", outcome)
        .description("unexpected failures reported to Sentry, or not (rate limited, queue full)")
        .register(registry);
  }

  /** How many reports were handed to the SDK, refused by the rate limit, or dropped. */
  public long[] totals() {
    return new long[] {sent.sum(), rateLimited.sum(), dropped.sum()};
  }

  /** Stops taking reports; what is queued is sent by the SDK within its shutdown timeout. */
  public static void close(FailureReporter reporter) {
    if (reporter instanceof SentryReporter s) {
      try {
        s.executor.execute(() -> s.client.close());
      } catch (RejectedExecutionException e) {
        // a full queue or a second close: the daemon thread and the SDK's own go with the JVM
      }
      s.executor.shutdown();
    }
  }

  /** At most {@code perMinute} tokens, refilled continuously. */
  static final class TokenBucket {
    private final double capacity;
    private final double perNano;
    private double tokens;
    private long last;

    TokenBucket(int perMinute) {
      this.capacity = perMinute;
      this.perNano = perMinute / 60e9;
      this.tokens = perMinute;
      this.last = System.nanoTime();
    }

    synchronized boolean take(long now) {
      tokens = Math.min(capacity, tokens + (now - last) * perNano);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }
  }
}
