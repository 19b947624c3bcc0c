package dev.bulwark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.LogCapture;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * An instance started with another signing key than its running peers' is refused in production
 * (warned in development), and so are credentials Redis refuses; a peer stopped cleanly no longer
 * holds its key in place.
 */
class SigningKeyFingerprintTest {
  private static final String KEY_A = "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx";
  private static final String KEY_B = "Zt5Hq1Wm8Rk3Yc7Vb2Np6Lx9Dg4Fs0Ja5Ue8Io1Mr";

  /** Its own Redis database, so no other test's instances count as peers. */
  private static final String REDIS = TestServices.get().redisUrl() + "/7";

  private static Map<String, String> env(String environment, String jwtKey, String redisUrl) {
    Map<String, String> env = TestServer.baseEnv();
    env.put("ENVIRONMENT", environment);
    env.put("REDIS_URL", redisUrl);
    env.put("JWT_SECRET_KEY", jwtKey);
    if (environment.equals("production")) {
      env.put("PASSWORD_PEPPER", "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb");
      env.put("MFA_ENCRYPTION_KEY", "Pq7Lm2Xv9Ck4Rt8Wz1Nb6Hd3Jf5Gs0Ya2Ue7Io4Mr9T");
      env.put("SMTP_URL", "smtp://127.0.0.1:" + TestServices.freePort());
      env.put("PUBLIC_BASE_URL", "https://app.example.com");
      env.remove("RATE_LIMIT_RULES");
      env.put("METRICS_PORT", Integer.toString(TestServices.freePort()));
    }
    return env;
  }

  private static String failureOf(Map<String, String> env) {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> TestServer.start(env, Map.of()).close());
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  @Test
  void anotherKeyThanARunningPeersIsRefusedInProductionAndWarnedInDevelopment() {
    try (TestServer peer = TestServer.start(env("production", KEY_A, REDIS), Map.of())) {
      String refused = failureOf(env("production", KEY_B, REDIS));
      assertTrue(refused.contains("signing key differs from a running peer's"), refused);
      assertFalse(refused.contains(KEY_A) || refused.contains(KEY_B), "never the key itself");

      LogCapture logs = LogCapture.attach();
      try (TestServer dev = TestServer.start(env("development", KEY_B, REDIS), Map.of())) {
        assertTrue(
            logs.lines().stream().anyMatch(l -> l.contains("signing key differs")),
            "development starts, with a warning");
        assertEquals(200, dev.get("/health").statusCode());
      } finally {
        logs.detach();
      }

      try (TestServer same = TestServer.start(env("production", KEY_A, REDIS), Map.of())) {
        var u = TestUsers.signup(peer);
        assertEquals(
            200,
            same.send(TestUsers.as(same, u, HttpMethod.GET, "/api/v1/me")).statusCode(),
            "a peer with the same key takes the other's tokens");
      }
    }
    // the peers stopped cleanly: the new key is the only one now
    try (TestServer rotated = TestServer.start(env("production", KEY_B, REDIS), Map.of())) {
      assertEquals(200, rotated.get("/health").statusCode());
    }
  }

  @Test
  void credentialsRedisRefusesStopProductionWithAClearMessage() throws IOException {
    int port = TestServices.freePort();
    RedisServer guarded =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(port)
            .setting("save \"\"")
            .setting("requirepass right-password")
            .build();
    guarded.start();
    try {
      String refused =
          failureOf(env("production", KEY_A, "redis://:wrong-password@127.0.0.1:" + port));
      assertTrue(refused.contains("Redis refused the credentials of REDIS_URL"), refused);
      assertFalse(refused.contains("wrong-password"), refused);
      try (TestServer ok =
          TestServer.start(
              env("production", KEY_A, "redis://:right-password@127.0.0.1:" + port), Map.of())) {
        assertEquals(200, ok.get("/health").statusCode());
      }
    } finally {
      guarded.stop();
    }
  }
}
