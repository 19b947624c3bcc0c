package dev.bulwark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Production never serves {@code /metrics} to whoever reaches the API port. */
class MetricsConfigTest {
  private static final String TOKEN = "metrics-token-7f3a9c1e5b2d8a4f6e0c";
  private static Vertx vertx;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  private static Map<String, String> production(Map<String, String> more) {
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "ENVIRONMENT",
                "production",
                "DATABASE_URL",
                "postgresql://app:pw@db:5432/app",
                "REDIS_URL",
                "redis://cache:6379",
                "JWT_SECRET_KEY",
                "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx",
                "PASSWORD_PEPPER",
                "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb",
                "MFA_ENCRYPTION_KEY",
                "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9",
                "SMTP_URL",
                "smtp://mail.example.com:587",
                "PUBLIC_BASE_URL",
                "https://app.example.com"));
    env.putAll(more);
    return env;
  }

  private static BulwarkConfig load(Map<String, String> env, Map<String, String> props) {
    return Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, props));
  }

  private static List<ConfigProblem> problems(Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> load(env, Map.of())).problems();
  }

  @Test
  void productionServesMetricsOnAManagementPortByDefault() {
    MetricsConfig m = load(production(Map.of()), Map.of()).metrics();
    assertEquals(9090, m.port());
    assertFalse(m.onApiPort());
  }

  @Test
  void productionRefusesMetricsOnTheApiPortWithoutAToken() {
    List<ConfigProblem> p = problems(production(Map.of("METRICS_PORT", "0")));
    assertEquals(1, p.size(), p::toString);
    assertEquals("metrics.port", p.get(0).key());
    assertTrue(
        p.get(0).toString().contains("(env METRICS_PORT)")
            && p.get(0).message().contains("METRICS_TOKEN"),
        p::toString);

    MetricsConfig guarded =
        load(production(Map.of("METRICS_PORT", "0", "METRICS_TOKEN", TOKEN)), Map.of()).metrics();
    assertTrue(guarded.onApiPort());
    assertEquals(TOKEN, guarded.token());
    assertFalse(
        load(production(Map.of("METRICS_PORT", "0")), Map.of("metrics.enabled", "false"))
            .metrics()
            .enabled());
  }

  @Test
  void developmentAndStagingKeepMetricsOnTheApiPort() {
    assertTrue(load(Map.of(), Map.of()).metrics().onApiPort());
    assertTrue(load(production(Map.of("ENVIRONMENT", "staging")), Map.of()).metrics().onApiPort());
  }

  @Test
  void aShortTokenIsRefusedAndTheTokenIsNeverPrinted() {
    List<ConfigProblem> p = problems(Map.of("METRICS_TOKEN", "short"));
    assertTrue(
        p.stream()
            .anyMatch(
                x -> x.key().equals("metrics.token") && x.message().contains("at least 16 bytes")),
        p::toString);
    JsonObject shown =
        EffectiveConfig.redacted(
            new JsonObject().put("metrics", new JsonObject().put("token", TOKEN)));
    assertEquals("***", shown.getJsonObject("metrics").getString("token"));
    assertFalse(new MetricsConfig(true, 0, TOKEN).toString().contains(TOKEN));
  }
}
