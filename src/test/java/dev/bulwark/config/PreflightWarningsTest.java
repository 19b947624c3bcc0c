package dev.bulwark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What staging and production start with but are warned about, and the settings those warnings ask
 * for.
 */
class PreflightWarningsTest {
  private static Vertx vertx;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  private static BulwarkConfig load(Map<String, String> env) {
    return Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, Map.of()));
  }

  /** Production with every service on loopback, so only what a test adds is warned about. */
  private static Map<String, String> production(Map<String, String> extra) {
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "ENVIRONMENT",
                "production",
                "DATABASE_URL",
                "postgresql://u:p@127.0.0.1:5432/app",
                "REDIS_URL",
                "redis://localhost:6379",
                "JWT_SECRET_KEY",
                "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx",
                "ALLOWED_HOSTS",
                "api.example.com",
                "PASSWORD_PEPPER",
                "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb",
                "MFA_ENCRYPTION_KEY",
                "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9",
                "SMTP_URL",
                "smtp://mail.example.com:587",
                "PUBLIC_BASE_URL",
                "https://app.example.com"));
    env.putAll(extra);
    return env;
  }

  private static List<String> warnings(Map<String, String> env) {
    return Preflight.warnings(load(env)).stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void allowedHostsAreReadLowerCasedAndCheckedForShape() {
    assertEquals(
        List.of("api.example.com", "*.tenants.example.com", "10.0.0.5", "[::1]"),
        load(Map.of("ALLOWED_HOSTS", "API.example.com, *.tenants.example.com,10.0.0.5,[::1]"))
            .http()
            .allowedHosts());
    assertEquals(List.of(), load(Map.of()).http().allowedHosts(), "empty by default: any host");
    for (String bad :
        new String[] {
          "https://api.example.com", "api.example.com:443", "api.example.com/x", "*", "a b"
        }) {
      ConfigException e =
          assertThrows(ConfigException.class, () -> load(Map.of("ALLOWED_HOSTS", bad)), bad);
      assertTrue(e.getMessage().contains("http.allowedHosts (env ALLOWED_HOSTS)"), e.getMessage());
    }
  }

  @Test
  void productionWithoutAllowedHostsIsWarnedNotRefused() {
    Map<String, String> env = production(Map.of());
    env.remove("ALLOWED_HOSTS");
    List<String> w = warnings(env);
    assertEquals(1, w.size(), w::toString);
    assertTrue(w.get(0).startsWith("http.allowedHosts (env ALLOWED_HOSTS): empty"), w::toString);
    assertEquals(List.of(), warnings(production(Map.of())), "nothing to warn about");
    assertEquals(List.of(), Preflight.warnings(load(Map.of())), "development is never warned");
  }
}
