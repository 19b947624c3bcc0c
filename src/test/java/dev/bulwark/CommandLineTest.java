package dev.bulwark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestServices;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The process as operators see it: exit codes and messages of {@code java dev.bulwark.Main}. */
class CommandLineTest {

  record Result(int exit, String output) {}

  static Result run(Map<String, String> env, String... args) throws Exception {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                cp,
                "dev.bulwark.Main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment()
        .keySet()
        .removeIf(
            k ->
                k.matches(
                    "ENVIRONMENT|DATABASE_URL|REDIS_URL|JWT_SECRET_KEY|PASSWORD_PEPPER|HTTP_PORT"));
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("process did not exit");
    }
    return new Result(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void productionWithoutUrlsOrSecretRefusesToStartNamingAllThree() throws Exception {
    Result r = run(Map.of("ENVIRONMENT", "production"));
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().contains("Bulwark refused to start"), r.output());
    for (String var : List.of("DATABASE_URL", "REDIS_URL", "JWT_SECRET_KEY", "PASSWORD_PEPPER")) {
      assertTrue(r.output().contains(var), var + " missing from: " + r.output());
    }
    assertFalse(r.output().contains("\tat "), "no stack trace: " + r.output());
  }

  @Test
  void invalidValuesStopStartupWithOneMessage() throws Exception {
    Result r =
        run(
            Map.of(
                "HTTP_PORT",
                "abc",
                "DATABASE_POOL_SIZE",
                "0",
                "DATABASE_URL",
                "postgresql://nohost"));
    assertEquals(2, r.exit(), r.output());
    assertTrue(r.output().contains("http.port (env HTTP_PORT)"), r.output());
    assertTrue(r.output().contains("database.poolSize (env DATABASE_POOL_SIZE)"), r.output());
    assertTrue(r.output().contains("database.url (env DATABASE_URL)"), r.output());
    assertFalse(r.output().contains("\tat "), "no stack trace: " + r.output());
  }

  @Test
  void migrateAppliesTheSchemaAndExitsZero() throws Exception {
    TestServices services = TestServices.get();
    String url = services.freshDatabaseUrl();
    Result r = run(Map.of("DATABASE_URL", url, "REDIS_URL", services.redisUrl()), "migrate");
    assertEquals(0, r.exit(), r.output());
    try (Connection c = services.jdbc(url);
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('users','sessions','refresh_tokens','tasks','audit_events')")) {
      rs.next();
      assertEquals(5, rs.getInt(1));
    }
    Result again = run(Map.of("DATABASE_URL", url, "REDIS_URL", services.redisUrl()), "migrate");
    assertEquals(0, again.exit(), "migrate is idempotent: " + again.output());
  }

  @Test
  void portAlreadyInUseFailsStartupClearly() throws Exception {
    TestServices services = TestServices.get();
    try (ServerSocket taken = new ServerSocket(0)) {
      Result r =
          run(
              Map.of(
                  "DATABASE_URL",
                  services.databaseUrl(),
                  "REDIS_URL",
                  services.redisUrl(),
                  "HTTP_PORT",
                  Integer.toString(taken.getLocalPort()),
                  "BCRYPT_ROUNDS",
                  "4"));
      assertEquals(1, r.exit(), r.output());
      assertTrue(r.output().contains("address already in use (set HTTP_PORT)"), r.output());
    }
  }

  @Test
  void unsetEnvironmentWithARemoteDatabaseRefusesToStartSayingHowToFix() throws Exception {
    // .invalid never resolves: even a build without this check could not reach a database
    for (String command : List.of("serve", "migrate", "seed")) {
      Result r =
          run(
              Map.of(
                  "DATABASE_URL",
                  "postgresql://app:s3cret-pw@db.invalid:5432/app",
                  "REDIS_URL",
                  "redis://127.0.0.1:1"),
              command,
              "--users",
              "1",
              "--tasks-per-user",
              "0");
      assertEquals(2, r.exit(), command + ": " + r.output());
      assertTrue(r.output().contains("Bulwark refused to start"), r.output());
      assertTrue(
          r.output().contains("environment (env ENVIRONMENT): ENVIRONMENT is not set"), r.output());
      assertTrue(r.output().contains("Set ENVIRONMENT=production (or staging)"), r.output());
      assertFalse(r.output().contains("s3cret-pw"), "no password in the message: " + r.output());
      assertFalse(r.output().contains("\tat "), "no stack trace: " + r.output());
    }
  }

  @Test
  void unknownCommandIsAUsageError() throws Exception {
    Result r = run(Map.of(), "frobnicate");
    assertEquals(64, r.exit());
    assertTrue(r.output().contains("usage:"));
  }

  /**
   * What check-config prints is what the server would run with: computed defaults filled in, and
   * values from environment variables with their real types (not the strings the variables are).
   */
  @Test
  void checkConfigPrintsComputedDefaultsWithTheirRealTypes() throws Exception {
    Result r =
        run(
            Map.of(
                "ENVIRONMENT", "development", "HTTP_PORT", "9090", "RATE_LIMIT_ENABLED", "false"),
            "check-config");
    assertEquals(0, r.exit(), r.output());
    String out = r.output();
    io.vertx.core.json.JsonObject printed =
        new io.vertx.core.json.JsonObject(
            out.substring(out.indexOf("{\n"), out.lastIndexOf("}\npreflight") + 1));
    int cores = Runtime.getRuntime().availableProcessors();
    var http = printed.getJsonObject("http");
    assertEquals(9090, http.getValue("port"), "a number, not the string \"9090\"");
    assertEquals(cores, http.getValue("instances"));
    var hasher = printed.getJsonObject("hasher");
    int hashers = hasher.getInteger("instances");
    assertEquals(Math.max(1, cores / 2), hashers);
    assertEquals(8 * hashers, hasher.getValue("queueCapacity"));
    assertEquals(false, printed.getJsonObject("rateLimit").getValue("enabled"));
    assertEquals("10s", printed.getJsonObject("http").getValue("requestTimeout"));
    assertEquals("64KiB", printed.getJsonObject("http").getValue("bodyLimit"));
  }

  @Test
  void checkConfigPrintsTheRedactedConfigAndAVerdict() throws Exception {
    Result ok =
        run(
            Map.of(
                "ENVIRONMENT",
                "production",
                "DATABASE_URL",
                "postgresql://app:db-pass-123@db:5432/app",
                "REDIS_URL",
                "redis://:redis-pass-456@cache:6379",
                "JWT_SECRET_KEY",
                "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx",
                "PASSWORD_PEPPER",
                "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb",
                "MFA_ENCRYPTION_KEY",
                "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9",
                "SMTP_URL",
                "smtp://mail.example.com:587",
                "PUBLIC_BASE_URL",
                "https://app.example.com"),
            "check-config");
    assertEquals(0, ok.exit(), ok.output());
    assertTrue(ok.output().contains("preflight: OK (production)"), ok.output());
    for (String warned :
        List.of(
            "preflight warning: http.allowedHosts (env ALLOWED_HOSTS)",
            "preflight warning: database.url (env DATABASE_URL): connects to db without TLS",
            "preflight warning: redis.url (env REDIS_URL): connects to cache without TLS")) {
      assertTrue(ok.output().contains(warned), warned + " missing from: " + ok.output());
    }
    assertTrue(ok.output().contains("\"poolSize\" : 16"), ok.output());
    for (String secret :
        List.of(
            "db-pass-123",
            "redis-pass-456",
            "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx",
            "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb")) {
      assertFalse(ok.output().contains(secret), "secret printed: " + secret);
    }

    Result refused =
        run(Map.of("ENVIRONMENT", "production", "ENABLE_DOCS", "true"), "check-config");
    assertEquals(1, refused.exit(), refused.output());
    assertTrue(refused.output().contains("preflight: REFUSED"), refused.output());
    assertTrue(
        refused.output().contains("DATABASE_URL") && refused.output().contains("ENABLE_DOCS"),
        refused.output());
  }
}
