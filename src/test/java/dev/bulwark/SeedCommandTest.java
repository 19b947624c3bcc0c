package dev.bulwark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.CommandLineTest.Result;
import dev.bulwark.ops.Seeder;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code bulwark.jar seed}: what it writes, that the server accepts it, and how it refuses bad
 * arguments.
 */
class SeedCommandTest {

  private static long count(Connection c, String sql) throws Exception {
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void seedsUsersSessionsAndTasksAndWritesTokensTheServerAccepts() throws Exception {
    TestServices services = TestServices.get();
    String url = services.freshDatabaseUrl();
    Path csv = Files.createTempDirectory("bulwark-seed").resolve("users.csv");
    Map<String, String> env =
        Map.of("DATABASE_URL", url, "REDIS_URL", services.redisUrl(), "BCRYPT_ROUNDS", "4");

    Result r =
        CommandLineTest.run(
            env,
            "seed",
            "--users",
            "25",
            "--tasks-per-user",
            "7",
            "--out",
            csv.toString(),
            "--prefix",
            "seedtest",
            "--token-minutes",
            "240");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("seed: 25 users, 175 tasks"), r.output());

    List<String> lines = Files.readAllLines(csv);
    assertEquals(26, lines.size());
    assertEquals(Seeder.CSV_HEADER, lines.get(0));
    try (Connection c = services.jdbc(url)) {
      assertEquals(25, count(c, "SELECT count(*) FROM users WHERE email LIKE 'seedtest-%'"));
      assertEquals(175, count(c, "SELECT count(*) FROM tasks"));
      assertEquals(25, count(c, "SELECT count(*) FROM sessions WHERE revoked_at IS NULL"));
      assertEquals(25, count(c, "SELECT count(*) FROM refresh_tokens WHERE consumed_at IS NULL"));
      assertEquals(
          1, count(c, "SELECT count(DISTINCT password_hash) FROM users"), "one precomputed hash");
      assertEquals(
          4,
          count(
              c,
              "SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL AND relname"
                  + " IN ('users', 'sessions', 'refresh_tokens', 'tasks')"),
          "the seeded tables are analyzed: the first requests get plans made with statistics");
    }
    JsonObject claims = TestUsers.claims(lines.get(1).split(",")[4]);
    assertEquals(
        240 * 60,
        claims.getLong("exp") - claims.getLong("iat"),
        "--token-minutes, not the configured 15 minutes");

    Map<String, String> serverEnv = new HashMap<>(TestServer.baseEnv());
    serverEnv.put("DATABASE_URL", url);
    try (TestServer server = TestServer.start(serverEnv, Map.of())) {
      String[] first = lines.get(1).split(",");
      String[] last = lines.get(25).split(",");
      assertEquals(Seeder.PASSWORD, first[1]);

      HttpResponse<Buffer> list =
          server.send(
              server
                  .request(HttpMethod.GET, "/api/v1/tasks?limit=5")
                  .putHeader("Authorization", "Bearer " + first[4]));
      assertEquals(200, list.statusCode(), list.bodyAsString());
      assertEquals(5, list.bodyAsJsonObject().getJsonArray("items").size());
      assertTrue(
          list.bodyAsJsonObject().getString("next_cursor") != null,
          "7 tasks make a second page of 5");

      HttpResponse<Buffer> refreshed =
          server.send(
              server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
              new JsonObject().put("refresh_token", last[5]));
      assertEquals(200, refreshed.statusCode(), refreshed.bodyAsString());
      assertEquals(
          last[3],
          refreshed.bodyAsJsonObject().getString("session_id"),
          "the seeded session rotates");

      HttpResponse<Buffer> login =
          server.send(
              server.request(HttpMethod.POST, "/api/v1/auth/login"),
              new JsonObject().put("email", first[0]).put("password", first[1]));
      assertEquals(200, login.statusCode(), login.bodyAsString());
      assertEquals(
          first[2],
          TestUsers.claims(login.bodyAsJsonObject().getString("access_token")).getString("sub"),
          "the written password logs in as the written user id");
    }

    Result again =
        CommandLineTest.run(
            env,
            "seed",
            "--users",
            "25",
            "--tasks-per-user",
            "7",
            "--out",
            csv.toString(),
            "--prefix",
            "seedtest");
    assertEquals(0, again.exit(), again.output());
    assertTrue(
        again.output().contains("seed: 0 users, 0 tasks"),
        "existing emails are skipped: " + again.output());
    Result fresh =
        CommandLineTest.run(
            env, "seed", "--users", "3", "--tasks-per-user", "0", "--out", csv.toString());
    assertEquals(0, fresh.exit(), fresh.output());
    try (Connection c = services.jdbc(url)) {
      assertEquals(
          28, count(c, "SELECT count(*) FROM users"), "a run without --prefix adds new accounts");
      assertEquals(175, count(c, "SELECT count(*) FROM tasks"));
    }
  }

  @Test
  void productionLikeProfilesAreRefusedUnlessAllowedOnPurpose() throws Exception {
    TestServices services = TestServices.get();
    String url = services.freshDatabaseUrl();
    Path csv = Files.createTempDirectory("bulwark-seed").resolve("users.csv");
    for (String profile : List.of("production", "staging")) {
      Map<String, String> env =
          Map.of(
              "ENVIRONMENT",
              profile,
              "DATABASE_URL",
              url,
              "REDIS_URL",
              services.redisUrl(),
              "JWT_SECRET_KEY",
              "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx",
              "PASSWORD_PEPPER",
              "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb",
              "MFA_ENCRYPTION_KEY",
              "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9",
              "SMTP_URL",
              "smtp://mail.example.com:587",
              "PUBLIC_BASE_URL",
              "https://app.example.com",
              "BCRYPT_ROUNDS",
              "4");
      Result refused =
          CommandLineTest.run(
              env, "seed", "--users", "3", "--tasks-per-user", "1", "--out", csv.toString());
      assertEquals(2, refused.exit(), refused.output());
      assertTrue(
          refused.output().contains("seed: refusing to seed under the " + profile + " profile"),
          refused.output());
      assertTrue(refused.output().contains("pass --allow-production-profile"), refused.output());
      assertFalse(Files.exists(csv), "nothing written");
    }
    try (Connection c = services.jdbc(url)) {
      assertEquals(
          0,
          count(c, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'users'"),
          "refused before migrating: the database is untouched");
    }

    Map<String, String> env =
        Map.of(
            "ENVIRONMENT",
            "production",
            "DATABASE_URL",
            url,
            "REDIS_URL",
            services.redisUrl(),
            "JWT_SECRET_KEY",
            "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx",
            "PASSWORD_PEPPER",
            "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb",
            "MFA_ENCRYPTION_KEY",
            "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9",
            "SMTP_URL",
            "smtp://mail.example.com:587",
            "PUBLIC_BASE_URL",
            "https://app.example.com",
            "BCRYPT_ROUNDS",
            "4");
    Result allowed =
        CommandLineTest.run(
            env,
            "seed",
            "--users",
            "3",
            "--tasks-per-user",
            "1",
            "--out",
            csv.toString(),
            "--allow-production-profile");
    assertEquals(0, allowed.exit(), allowed.output());
    assertTrue(
        allowed
            .output()
            .contains(
                "seeding under the production profile because --allow-production-profile was given"),
        allowed.output());
    try (Connection c = services.jdbc(url)) {
      assertEquals(3, count(c, "SELECT count(*) FROM users"));
    }
  }

  @Test
  void badArgumentsExit64NamingTheArgument() throws Exception {
    Result r = CommandLineTest.run(Map.of(), "seed", "--users", "many", "--tasks-per-user", "5");
    assertEquals(64, r.exit(), r.output());
    assertTrue(
        r.output().contains("seed: --users must be a whole number from 1 to 1000000 (got 'many')"),
        r.output());
    assertTrue(r.output().contains("usage: java -jar bulwark.jar seed"), r.output());
    assertFalse(r.output().contains("\tat "), "no stack trace: " + r.output());

    Result missing = CommandLineTest.run(Map.of(), "seed", "--users", "5");
    assertEquals(64, missing.exit(), missing.output());
    assertTrue(missing.output().contains("--tasks-per-user"), missing.output());

    Result unknown =
        CommandLineTest.run(
            Map.of(), "seed", "--users", "5", "--tasks-per-user", "1", "--bogus", "x");
    assertEquals(64, unknown.exit(), unknown.output());
    assertTrue(unknown.output().contains("unknown option '--bogus'"), unknown.output());

    Result tooLong =
        CommandLineTest.run(
            Map.of(), "seed", "--users", "5", "--tasks-per-user", "1", "--token-minutes", "0");
    assertEquals(64, tooLong.exit(), tooLong.output());
    assertTrue(
        tooLong.output().contains("--token-minutes must be a whole number from 1 to 10080"),
        tooLong.output());
  }
}
