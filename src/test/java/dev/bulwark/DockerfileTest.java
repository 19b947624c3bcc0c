package dev.bulwark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The container image's recipe, read as Docker reads it (no Docker here): the runtime stage carries
 * no downloader, the base images are pinned by digest, and the HEALTHCHECK command really answers
 * against a running server.
 */
class DockerfileTest {

  /** Instructions with their continuation lines joined, comments dropped. */
  private static List<String> instructions() throws Exception {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(Path.of("Dockerfile"))) {
      if (line.strip().startsWith("#") || (line.isBlank() && current.length() == 0)) {
        continue;
      }
      boolean continues = line.endsWith("\\");
      current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
      if (!continues) {
        out.add(current.toString().strip());
        current.setLength(0);
      }
    }
    return out;
  }

  private static List<String> runtimeStage() throws Exception {
    List<String> all = instructions();
    int lastFrom = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).startsWith("FROM ")) {
        lastFrom = i;
      }
    }
    return all.subList(lastFrom, all.size());
  }

  @Test
  void theRuntimeImageHasNoDownloader() throws Exception {
    for (String instruction : runtimeStage()) {
      if (instruction.startsWith("RUN ") && instruction.contains("apt-get install")) {
        assertFalse(
            instruction.matches(".*\\b(curl|wget)\\b.*"), "installs a downloader: " + instruction);
      }
    }
    assertTrue(
        runtimeStage().stream()
            .anyMatch(
                i ->
                    i.startsWith("RUN ")
                        && i.contains("apt-get purge")
                        && i.contains("curl")
                        && i.contains("wget")),
        "the base image's curl and wget are removed");
    String healthcheck =
        runtimeStage().stream().filter(i -> i.startsWith("HEALTHCHECK")).findFirst().orElseThrow();
    assertFalse(healthcheck.matches(".*\\b(curl|wget)\\b.*"), healthcheck);
  }

  @Test
  void baseImagesArePinnedByDigest() throws Exception {
    List<String> froms = instructions().stream().filter(i -> i.startsWith("FROM ")).toList();
    assertEquals(2, froms.size(), froms::toString);
    for (String from : froms) {
      assertTrue(
          from.matches("FROM [a-z0-9.-]+:[A-Za-z0-9.-]+@sha256:[0-9a-f]{64}( AS \\w+)?"), from);
    }
  }

  /** The HEALTHCHECK's exec-form command. */
  private static List<String> healthcheckCommand() throws Exception {
    String healthcheck =
        runtimeStage().stream().filter(i -> i.startsWith("HEALTHCHECK")).findFirst().orElseThrow();
    JsonArray exec = new JsonArray(healthcheck.substring(healthcheck.indexOf("CMD [") + 4));
    List<String> command = new ArrayList<>();
    exec.forEach(part -> command.add(part.toString()));
    return command;
  }

  private static int runHealthcheck(int port) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(healthcheckCommand()).redirectErrorStream(true);
    pb.environment().put("HTTP_PORT", Integer.toString(port));
    Process p = pb.start();
    p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the healthcheck ends by itself");
    return p.exitValue();
  }

  @Test
  void theHealthcheckPassesAgainstAServerAndFailsWithoutOne() throws Exception {
    assertEquals(
        "bash", healthcheckCommand().get(0), "bash exists in the Ubuntu-based runtime image");
    Map<String, String> env = TestServer.baseEnv();
    env.put("ALLOWED_HOSTS", "api.example.com");
    try (TestServer server = TestServer.start(env, Map.of())) {
      assertEquals(0, runHealthcheck(server.port()));
    }
    assertNotEquals(0, runHealthcheck(TestServices.freePort()), "nothing listening: unhealthy");
  }
}
