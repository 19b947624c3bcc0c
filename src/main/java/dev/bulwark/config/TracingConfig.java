package dev.bulwark.config;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * OpenTelemetry traces, off unless an OTLP endpoint is given ({@code OTEL_EXPORTER_OTLP_ENDPOINT}):
 * then spans go to {@code <endpoint>/v1/traces} as http/protobuf, named {@code serviceName},
 * sampled as the standard {@code OTEL_TRACES_SAMPLER} / {@code OTEL_TRACES_SAMPLER_ARG} say. While
 * off, no tracer is installed at all.
 */
public record TracingConfig(
    String endpoint,
    String serviceName,
    Sampler sampler,
    double samplerArg,
    Duration exportTimeout,
    Duration scheduleDelay,
    int maxQueueSize) {

  /** The standard sampler names ({@code OTEL_TRACES_SAMPLER}), lower-case with underscores. */
  public enum Sampler {
    ALWAYS_ON,
    ALWAYS_OFF,
    TRACEIDRATIO,
    PARENTBASED_ALWAYS_ON,
    PARENTBASED_ALWAYS_OFF,
    PARENTBASED_TRACEIDRATIO
  }

  static TracingConfig read(ConfigReader r) {
    String endpoint = r.optionalString("tracing.endpoint");
    if (endpoint != null) {
      try {
        URI uri = URI.create(endpoint);
        if (uri.getScheme() == null
            || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
            || uri.getHost() == null) {
          r.problem("tracing.endpoint", "must be an http:// or https:// URL");
        }
      } catch (IllegalArgumentException e) {
        r.problem("tracing.endpoint", "must be an http:// or https:// URL");
      }
    }
    Sampler sampler = Sampler.PARENTBASED_ALWAYS_ON;
    String samplerName = r.optionalString("tracing.sampler");
    if (samplerName != null) {
      try {
        sampler = Sampler.valueOf(samplerName.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        r.problem(
            "tracing.sampler",
            "must be one of always_on, always_off, traceidratio, parentbased_always_on,"
                + " parentbased_always_off, parentbased_traceidratio");
      }
    }
    double ratio = 1.0;
    String arg = r.optionalString("tracing.samplerArg");
    if (arg != null) {
      try {
        ratio = Double.parseDouble(arg.trim());
        if (!(ratio >= 0 && ratio <= 1)) {
          r.problem("tracing.samplerArg", "must be a ratio between 0 and 1");
        }
      } catch (NumberFormatException e) {
        r.problem("tracing.samplerArg", "must be a ratio between 0 and 1");
      }
    }
    return new TracingConfig(
        endpoint == null ? null : endpoint.replaceAll("/+$", ""),
        r.string("tracing.serviceName", "bulwark"),
        sampler,
        ratio,
        r.duration(
            "tracing.exportTimeout",
            Duration.ofSeconds(10),
            Duration.ofMillis(100),
            Duration.ofMinutes(1)),
        r.duration(
            "tracing.scheduleDelay",
            Duration.ofSeconds(5),
            Duration.ofMillis(10),
            Duration.ofMinutes(1)),
        r.intIn("tracing.maxQueueSize", 2048, 16, 1_000_000));
  }

  public boolean enabled() {
    return endpoint != null;
  }

  /** Where spans are posted: the OTLP/HTTP traces path under the endpoint. */
  public String tracesUrl() {
    return endpoint + "/v1/traces";
  }
}
