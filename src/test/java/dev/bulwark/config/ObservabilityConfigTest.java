package dev.bulwark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tracing and error reporting are off unless their standard variables are set; the OTEL_* and
 * SENTRY_* variables land on their keys; malformed values are refused by name, all at once.
 */
class ObservabilityConfigTest {
  private static Vertx vertx;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  private static BulwarkConfig load(Map<String, String> more) {
    Map<String, String> env = new HashMap<>(Map.of("ENVIRONMENT", "development"));
    env.putAll(more);
    return Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, Map.of()));
  }

  @Test
  void offByDefault() {
    BulwarkConfig c = load(Map.of());
    assertFalse(c.tracing().enabled());
    assertFalse(c.errorReporting().enabled());
    assertEquals("development", c.errorReporting().environment());
  }

  @Test
  void theStandardVariablesTurnThemOn() {
    BulwarkConfig c =
        load(
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/",
                "OTEL_SERVICE_NAME", "api",
                "OTEL_TRACES_SAMPLER", "parentbased_traceidratio",
                "OTEL_TRACES_SAMPLER_ARG", "0.1",
                "SENTRY_DSN", "https://key@sentry.example.com/7",
                "SENTRY_RELEASE", "r42"));
    assertTrue(c.tracing().enabled());
    assertEquals("http://collector:4318/v1/traces", c.tracing().tracesUrl());
    assertEquals("api", c.tracing().serviceName());
    assertEquals(TracingConfig.Sampler.PARENTBASED_TRACEIDRATIO, c.tracing().sampler());
    assertEquals(0.1, c.tracing().samplerArg());
    assertTrue(c.errorReporting().enabled());
    assertEquals("r42", c.errorReporting().release());
    assertFalse(c.errorReporting().toString().contains("key@"), "the DSN is a secret");
    assertTrue(ConfigKeys.isSecret("sentry.dsn"));
  }

  @Test
  void malformedValuesAreRefusedByName() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318",
                        "OTEL_TRACES_SAMPLER", "sometimes",
                        "OTEL_TRACES_SAMPLER_ARG", "1.5",
                        "SENTRY_DSN", "not a dsn")));
    Set<String> keys = e.problems().stream().map(ConfigProblem::key).collect(Collectors.toSet());
    assertEquals(
        Set.of("tracing.endpoint", "tracing.sampler", "tracing.samplerArg", "sentry.dsn"), keys);
  }
}
