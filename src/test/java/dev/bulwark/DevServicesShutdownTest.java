package dev.bulwark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestServices;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Development mode stops what it started, within a bound, even when the embedded services cannot
 * stop cleanly: with its data folder deleted, Redis refuses SIGTERM (it cannot write its final
 * save) and pg_ctl cannot find the server. The process must still exit, and leave neither server
 * running.
 */
class DevServicesShutdownTest {

  @Test
  void sigtermExitsAndStopsTheEmbeddedServicesEvenWithTheirDataFolderGone() throws Exception {
    Path dataDir = Files.createTempDirectory("bulwark-dev-data");
    int http = TestServices.freePort();
    int postgres = TestServices.freePort();
    int redis = TestServices.freePort();
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-DdevServices.postgresPort=" + postgres,
                "-DdevServices.redisPort=" + redis,
                "-Dshutdown.gracePeriod=5s",
                "-cp",
                cp,
                "dev.bulwark.Main")
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(
                    new java.io.File("target/devservices-shutdown.log")));
    pb.environment().keySet().removeIf(k -> k.matches("DATABASE_URL|REDIS_URL|JWT_SECRET_KEY"));
    pb.environment()
        .putAll(
            Map.of(
                "ENVIRONMENT",
                "development",
                "DEV_DATA_DIR",
                dataDir.toString(),
                "HTTP_PORT",
                Integer.toString(http),
                "HTTP_INSTANCES",
                "1",
                "HASHER_INSTANCES",
                "1",
                "BCRYPT_ROUNDS",
                "4"));
    Process process = pb.start();
    try {
      waitUntilReady(http);
      deleteRecursively(dataDir);

      process.destroy(); // SIGTERM
      assertTrue(
          process.waitFor(90, TimeUnit.SECONDS),
          "the process exits although its services could not stop cleanly");
      assertEquals(0, process.exitValue());
      assertFalse(listening(redis), "embedded Redis was stopped");
      assertFalse(listening(postgres), "embedded PostgreSQL was stopped");
    } finally {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static void waitUntilReady(int port) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    for (int i = 0; i < 1200; i++) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting (initdb on a fresh folder takes a while)
      }
      Thread.sleep(100);
    }
    throw new AssertionError("server did not become ready");
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
