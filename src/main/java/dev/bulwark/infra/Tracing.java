package dev.bulwark.infra;

import dev.bulwark.config.TracingConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.core.spi.tracing.SpanKind;
import io.vertx.core.spi.tracing.TagExtractor;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingOptions;
import io.vertx.core.tracing.TracingPolicy;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * OpenTelemetry through Vert.x's tracing SPI, built only when {@code tracing.endpoint} is set (off,
 * Vert.x gets no tracer and pays nothing). Spans leave as OTLP http/protobuf through a batch
 * processor with a bounded queue; a collector that is down, slow or refusing only costs spans (each
 * failed export counted), never a request. W3C {@code traceparent}/{@code tracestate} are honoured
 * only from trusted peers (the trusted proxies): anyone else's are removed before Vert.x reads
 * them, so their requests start traces of their own. What leaves is scrubbed: no full URL, target
 * or query string, and no value that carries an email or a token.
 */
public final class Tracing {
  private static final Set<String> DROPPED_ATTRIBUTES =
      Set.of("http.url", "url.full", "http.target", "url.query", "db.user", "peer.address");
  private static final Set<String> PROPAGATION_HEADERS =
      Set.of("traceparent", "tracestate", "baggage");
  private static final Pattern EMAIL =
      Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
  private static final Pattern TOKEN =
      Pattern.compile(
          "(?i)bearer\\s+\\S+|eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*|[A-Za-z0-9_-]{40,}");

  private final OpenTelemetrySdk sdk;
  private final VertxTracerFactory factory;
  private final LongAdder exported = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final long exportTimeoutMillis;

  private Tracing(TracingConfig config, Predicate<SocketAddress> trustedPeer) {
    this.exportTimeoutMillis = config.exportTimeout().toMillis();
    SpanExporter otlp =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(config.tracesUrl())
            .setTimeout(config.exportTimeout())
            .setConnectTimeout(config.exportTimeout())
            .build();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.of(
                                AttributeKey.stringKey("service.name"), config.serviceName()))))
            .setSampler(sampler(config))
            .addSpanProcessor(
                BatchSpanProcessor.builder(new ScrubbingExporter(otlp, exported, dropped))
                    .setMaxQueueSize(config.maxQueueSize())
                    .setExporterTimeout(config.exportTimeout())
                    .setScheduleDelay(config.scheduleDelay())
                    .build())
            .build();
    this.sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(provider)
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    OpenTelemetryTracingFactory otel = new OpenTelemetryTracingFactory(sdk);
    this.factory =
        new VertxTracerFactory() {
          @Override
          public VertxTracer<?, ?> tracer(TracingOptions options) {
            return new TrustedPropagation<>(otel.tracer(options), trustedPeer);
          }
        };
  }

  /** Tracing as configured, or null when {@code tracing.endpoint} is unset. */
  public static Tracing create(TracingConfig config, Predicate<SocketAddress> trustedPeer) {
    return config.enabled() ? new Tracing(config, trustedPeer) : null;
  }

  /** What Vert.x is built with ({@code Vertx.builder().withTracer(...)}). */
  public VertxTracerFactory factory() {
    return factory;
  }

  /**
   * Exports what is queued and stops, waiting at most the export timeout; call it off the event
   * loops (the shutdown thread does).
   */
  public void close() {
    sdk.shutdown().join(exportTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  private static Sampler sampler(TracingConfig config) {
    double ratio = config.samplerArg();
    return switch (config.sampler()) {
      case ALWAYS_ON -> Sampler.alwaysOn();
      case ALWAYS_OFF -> Sampler.alwaysOff();
      case TRACEIDRATIO -> Sampler.traceIdRatioBased(ratio);
      case PARENTBASED_ALWAYS_ON -> Sampler.parentBased(Sampler.alwaysOn());
      case PARENTBASED_ALWAYS_OFF -> Sampler.parentBased(Sampler.alwaysOff());
      case PARENTBASED_TRACEIDRATIO -> Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
    };
  }

  /**
   * Registers {@code bulwark_trace_spans_total{outcome}} (exported, dropped) on the registry of
   * that name; zero series values while tracing is off (a no-op when metrics are off).
   */
  public static void bindMetrics(String registryName, Tracing tracing) {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    if (registry == null) {
      return;
    }
    register(registry, "exported", tracing == null ? new LongAdder() : tracing.exported);
    register(registry, "dropped", tracing == null ? new LongAdder() : tracing.dropped);
  }

  private static void register(MeterRegistry registry, String outcome, LongAdder n) {
    FunctionCounter.builder("bulwark_trace_spans", n, LongAdder::sum)
        .tag("outcome", outcome)
        .description(
            "spans sent to the OTLP collector, or dropped (collector down, slow or refusing)")
        .register(registry);
  }

  /** A span attribute as it may leave the process, or null to drop it. */
  static String scrub(String key, String value) {
    if (DROPPED_ATTRIBUTES.contains(key) || value == null) {
      return null;
    }
    String out = value;
    if (key.equals("url.path")) {
      int query = out.indexOf('?');
      out = query < 0 ? out : out.substring(0, query);
    }
    out = EMAIL.matcher(out).replaceAll("[email]");
    return TOKEN.matcher(out).replaceAll("[token]");
  }

  static Attributes scrub(Attributes attributes) {
    AttributesBuilder out = Attributes.builder();
    attributes.forEach(
        (key, value) -> {
          String scrubbed = scrub(key.getKey(), String.valueOf(value));
          if (scrubbed == null) {
            return;
          }
          if (value instanceof String) {
            out.put(AttributeKey.stringKey(key.getKey()), scrubbed);
          } else {
            putAsIs(out, key, value);
          }
        });
    return out.build();
  }

  @SuppressWarnings("unchecked")
  private static <T> void putAsIs(AttributesBuilder out, AttributeKey<T> key, Object value) {
    out.put(key, (T) value);
  }

  /** Scrubs every span on its way out and counts what was sent and what was lost. */
  private static final class ScrubbingExporter implements SpanExporter {
    private final SpanExporter delegate;
    private final LongAdder exported;
    private final LongAdder dropped;

    ScrubbingExporter(SpanExporter delegate, LongAdder exported, LongAdder dropped) {
      this.delegate = delegate;
      this.exported = exported;
      this.dropped = dropped;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      List<SpanData> scrubbed = new ArrayList<>(spans.size());
      for (SpanData span : spans) {
        scrubbed.add(new Scrubbed(span));
      }
      int n = spans.size();
      CompletableResultCode result;
      try {
        result = delegate.export(scrubbed);
      } catch (RuntimeException e) {
        dropped.add(n);
        return CompletableResultCode.ofFailure();
      }
      result.whenComplete(
          () -> {
            if (result.isSuccess()) {
              exported.add(n);
            } else {
              dropped.add(n);
            }
          });
      return result;
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }
  }

  private static final class Scrubbed extends DelegatingSpanData {
    private final Attributes attributes;
    private final List<EventData> events;

    Scrubbed(SpanData span) {
      super(span);
      this.attributes = scrub(span.getAttributes());
      List<EventData> out = new ArrayList<>(span.getEvents().size());
      for (EventData e : span.getEvents()) {
        out.add(
            EventData.create(
                e.getEpochNanos(),
                e.getName(),
                scrub(e.getAttributes()),
                e.getTotalAttributeCount()));
      }
      this.events = out;
    }

    @Override
    public Attributes getAttributes() {
      return attributes;
    }

    @Override
    public List<EventData> getEvents() {
      return events;
    }
  }

  /**
   * Vert.x's OpenTelemetry tracer, except that a server request's trace headers are read only when
   * it comes from a trusted peer.
   */
  private static final class TrustedPropagation<I, O> implements VertxTracer<I, O> {
    private final VertxTracer<I, O> delegate;
    private final Predicate<SocketAddress> trustedPeer;

    @SuppressWarnings("unchecked")
    TrustedPropagation(VertxTracer<?, ?> delegate, Predicate<SocketAddress> trustedPeer) {
      this.delegate = (VertxTracer<I, O>) delegate;
      this.trustedPeer = trustedPeer;
    }

    @Override
    public <R> I receiveRequest(
        Context context,
        SpanKind kind,
        TracingPolicy policy,
        R request,
        String operation,
        Iterable<Map.Entry<String, String>> headers,
        TagExtractor<R> tagExtractor) {
      Iterable<Map.Entry<String, String>> read = headers;
      if (request instanceof HttpServerRequest http && !trustedPeer.test(http.remoteAddress())) {
        read = withoutPropagation(headers);
      }
      return delegate.receiveRequest(context, kind, policy, request, operation, read, tagExtractor);
    }

    private static Iterable<Map.Entry<String, String>> withoutPropagation(
        Iterable<Map.Entry<String, String>> headers) {
      List<Map.Entry<String, String>> out = new ArrayList<>();
      for (Map.Entry<String, String> h : headers) {
        if (!PROPAGATION_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
          out.add(h);
        }
      }
      return out;
    }

    @Override
    public <R> void sendResponse(
        Context context, R response, I payload, Throwable failure, TagExtractor<R> tagExtractor) {
      delegate.sendResponse(context, response, payload, failure, tagExtractor);
    }

    @Override
    public <R> O sendRequest(
        Context context,
        SpanKind kind,
        TracingPolicy policy,
        R request,
        String operation,
        BiConsumer<String, String> headers,
        TagExtractor<R> tagExtractor) {
      return delegate.sendRequest(context, kind, policy, request, operation, headers, tagExtractor);
    }

    @Override
    public <R> void receiveResponse(
        Context context, R response, O payload, Throwable failure, TagExtractor<R> tagExtractor) {
      delegate.receiveResponse(context, response, payload, failure, tagExtractor);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
