package dev.bulwark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The export's memory stays flat: a server in a JVM of its own, with a heap of {@value #HEAP}
 * (smaller than the 27 MB document, let alone its 100,000 rows as objects), exports an account with
 * 100,000 tasks completely. A document built in memory fails here with OutOfMemoryError.
 */
class AccountExportMemoryTest {
  static final String HEAP = "64m";

  @Test
  void a100000TaskExportFitsInASmallHeap() throws Exception {
    TestServices services = TestServices.get();
    int port = TestServices.freePort();
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP,
                "-XX:MaxDirectMemorySize=" + HEAP,
                "-XX:+ExitOnOutOfMemoryError",
                "-Dhttp.requestTimeout=120s",
                "-cp",
                cp,
                "dev.bulwark.Main")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment()
        .putAll(
            java.util.Map.of(
                "DATABASE_URL", services.databaseUrl(),
                "REDIS_URL", services.redisUrl(),
                "HTTP_PORT", Integer.toString(port),
                "HTTP_INSTANCES", "1",
                "BCRYPT_ROUNDS", "4",
                "HASHER_INSTANCES", "1",
                "RATE_LIMIT_RULES", "[]",
                "ENVIRONMENT", "development"));
    Process process = pb.start();
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    String base = "http://127.0.0.1:" + port;
    try {
      waitUntilUp(http, base);
      String email = "export-" + UUID.randomUUID() + "@example.com";
      HttpResponse<String> signup =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/signup"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          new JsonObject()
                              .put("email", email)
                              .put("password", "Tr0ub4dor&3-horse-staple")
                              .encode()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, signup.statusCode(), signup.body());
      JsonObject pair = new JsonObject(signup.body());
      String userId =
          dev.bulwark.testing.TestUsers.claims(pair.getString("access_token")).getString("sub");
      Staff.sql(
          services.databaseUrl(),
          "INSERT INTO tasks (user_id, title, notes) SELECT ?, 'task ' || n,"
              + " repeat('n', 200) FROM generate_series(1, 100000) n",
          UUID.fromString(userId));

      HttpResponse<byte[]> export =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/v1/me/export"))
                  .header("Authorization", "Bearer " + pair.getString("access_token"))
                  .timeout(Duration.ofSeconds(180))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, export.statusCode());
      JsonObject doc = new JsonObject(io.vertx.core.buffer.Buffer.buffer(export.body()));
      assertEquals(100_000, doc.getJsonArray("tasks").size());
      assertEquals(email, doc.getJsonObject("profile").getString("email"));
      assertEquals(
          200,
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode(),
          "the server is still alive");
    } finally {
      process.destroy();
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private static void waitUntilUp(HttpClient http, String base) throws Exception {
    // start-up on a small heap, on a machine other builds share, can take a while
    for (int i = 0; i < 3000; i++) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new AssertionError("server did not become ready");
  }
}
