package dev.bulwark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.CommandLineTest.Result;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "one simulation against a server you started yourself", as written: seed with {@code
 * --token-minutes}, start the development server with {@code RATE_LIMIT_RULES} from
 * load-tests/benchmark-rate-limits.json, then five seconds of the seeded accounts' reads. Under the
 * development profile's own limits (6,000/min per address) a load test met 429s, and tokens minted
 * with the default 15 minutes expired mid-run.
 */
class OwnServerRecipeTest {
  /** The heaviest per-address rate the load tests send (ReadHeavy's target, 2,000 req/s). */
  private static final double LOAD_TEST_PEAK_PER_SECOND = 2000;

  private static final Pattern QUOTA = Pattern.compile("q=(\\d+);w=(\\d+)");

  @Test
  void seededTokensAndBenchmarkLimitsCarryALoadTestWithNo401Or429() throws Exception {
    TestServices services = TestServices.get();
    String url = services.freshDatabaseUrl();
    Path csv = Files.createTempDirectory("bulwark-recipe").resolve("users.csv");
    Result seeded =
        CommandLineTest.run(
            Map.of("DATABASE_URL", url, "REDIS_URL", services.redisUrl(), "BCRYPT_ROUNDS", "4"),
            "seed",
            "--users",
            "20",
            "--tasks-per-user",
            "5",
            "--token-minutes",
            "240",
            "--out",
            csv.toString());
    assertEquals(0, seeded.exit(), seeded.output());
    List<String[]> users =
        Files.readAllLines(csv).stream().skip(1).map(line -> line.split(",")).toList();
    JsonObject claims = TestUsers.claims(users.get(0)[4]);
    assertTrue(
        claims.getLong("exp") - claims.getLong("iat") >= 240 * 60,
        "the tokens outlive a long run, whatever ACCESS_TOKEN_EXPIRE_MINUTES the server has");

    Map<String, String> env = new HashMap<>(TestServer.baseEnv());
    env.put("DATABASE_URL", url);
    env.put(
        "RATE_LIMIT_RULES", Files.readString(Path.of("load-tests", "benchmark-rate-limits.json")));
    Map<Integer, Integer> statuses = new TreeMap<>();
    try (TestServer server = TestServer.start(env, Map.of())) {
      long end = System.nanoTime() + 5_000_000_000L;
      for (int i = 0; System.nanoTime() < end; i++) {
        String[] user = users.get(i % users.size());
        HttpResponse<Buffer> r =
            server.send(
                server
                    .request(HttpMethod.GET, "/api/v1/tasks?limit=20")
                    .putHeader("Authorization", "Bearer " + user[4]));
        statuses.merge(r.statusCode(), 1, Integer::sum);
        if (i == 0) {
          assertLimitsOutOfReach(r.getHeader("RateLimit-Policy"));
        }
      }
    }
    assertEquals(List.of(200), List.copyOf(statuses.keySet()), "statuses: " + statuses);
  }

  /** Every limit the request met allows more than the load tests' peak rate. */
  private static void assertLimitsOutOfReach(String policy) {
    assertTrue(policy != null && !policy.isEmpty(), "the gate ran: " + policy);
    Matcher m = QUOTA.matcher(policy);
    int limits = 0;
    while (m.find()) {
      limits++;
      double perSecond = Double.parseDouble(m.group(1)) / Double.parseDouble(m.group(2));
      assertTrue(perSecond > LOAD_TEST_PEAK_PER_SECOND, "a limit a load test reaches: " + policy);
    }
    assertTrue(limits > 0, policy);
  }
}
