package dev.bulwark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM with requests in flight: readiness drops at once, every in-flight request completes, exit
 * 0.
 */
class GracefulShutdownTest {

  @Test
  void sigtermDrainsInFlightRequestsAndExitsZero() throws Exception {
    TestServices services = TestServices.get();
    int port = TestServices.freePort();
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dshutdown.drainDelay=1s",
                "-Dshutdown.gracePeriod=20s",
                "-Dhasher.queueCapacity=16",
                "-cp",
                cp,
                "dev.bulwark.Main")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment()
        .putAll(
            java.util.Map.of(
                "DATABASE_URL",
                services.databaseUrl(),
                "REDIS_URL",
                services.redisUrl(),
                "HTTP_PORT",
                Integer.toString(port),
                "BCRYPT_ROUNDS",
                "12",
                "HASHER_INSTANCES",
                "1",
                "ENVIRONMENT",
                "development"));
    Process process = pb.start();
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    String base = "http://127.0.0.1:" + port;
    try {
      waitUntilUp(http, base);
      String email = "drain-" + UUID.randomUUID() + "@example.com";
      String body = "{\"email\":\"" + email + "\",\"password\":\"Tr0ub4dor&3-horse-staple\"}";
      assertEquals(
          201,
          http.send(post(base + "/api/v1/auth/signup", body), HttpResponse.BodyHandlers.ofString())
              .statusCode());

      // four logins at bcrypt cost 12 on one worker: about 1.3 s of work queued when SIGTERM
      // arrives
      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        inFlight.add(
            http.sendAsync(
                post(base + "/api/v1/auth/login", body), HttpResponse.BodyHandlers.ofString()));
      }
      Thread.sleep(150);
      process.destroy(); // SIGTERM
      Thread.sleep(300);
      HttpResponse<String> ready =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/ready")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(503, ready.statusCode(), "readiness drops at once: " + ready.body());
      assertTrue(ready.body().contains("\"draining\":true"), ready.body());

      for (CompletableFuture<HttpResponse<String>> f : inFlight) {
        HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), "in-flight request completed: " + r.body());
      }
      assertTrue(process.waitFor(40, TimeUnit.SECONDS), "process exits");
      assertEquals(0, process.exitValue());
    } finally {
      process.destroyForcibly();
    }
  }

  private static HttpRequest post(String url, String json) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private static void waitUntilUp(HttpClient http, String base) throws Exception {
    for (int i = 0; i < 300; i++) {
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
