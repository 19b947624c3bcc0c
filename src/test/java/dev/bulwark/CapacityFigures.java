package dev.bulwark;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * The per-request costs docs/CAPACITY.md starts from, counted rather than timed: Redis commands
 * (INFO commandstats, scripts counted once, the commands they run inside Redis apart) and
 * PostgreSQL statements (pg_stat_statements) per request of each main route, on a PostgreSQL and a
 * Redis of its own. Prints a table; asserts nothing. Run: {@code mvn -B test -Dtest=CapacityFigures
 * -Dgroups=benchmark -DexcludedGroups=none}.
 */
@Tag("benchmark")
class CapacityFigures {
  private static final int N = 200;

  @Test
  void countRedisCommandsAndStatementsPerRequest() throws Exception {
    int redisPort = TestServices.freePort();
    RedisServer redis = TestServices.startRedis(redisPort);
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setDataDirectory(Files.createTempDirectory("bulwark-capacity-pg"))
            .setCleanDataDirectory(true)
            .setServerConfig("shared_preload_libraries", "pg_stat_statements")
            .setServerConfig("pg_stat_statements.track", "all")
            .start();
    String jdbc = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
    try (Connection c = DriverManager.getConnection(jdbc, "postgres", null);
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    }
    Map<String, String> env = TestServer.baseEnv();
    env.put("DATABASE_URL", "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres");
    env.put("REDIS_URL", "redis://127.0.0.1:" + redisPort);
    env.remove("RATE_LIMIT_RULES"); // development's own rules, as a deployment has some
    env.put(
        "RATE_LIMIT_RULES",
        "[{\"name\":\"all\",\"match\":\"/**\",\"key\":\"ip\",\"limits\":[\"1000000/1m\"]},"
            + "{\"name\":\"u\",\"match\":\"/api/v1/tasks/**\",\"key\":\"user\",\"limits\":[\"1000000/1m\"]}]");
    try (TestServer server = TestServer.start(env, Map.of())) {
      Redis client = Redis.createClient(server.vertx(), "redis://127.0.0.1:" + redisPort);
      TestUser u = TestUsers.signup(server);
      String id =
          server
              .send(
                  TestUsers.as(server, u, HttpMethod.POST, "/api/v1/tasks"),
                  new JsonObject().put("title", "seed"))
              .bodyAsJsonObject()
              .getString("id");
      String[] refresh = {u.refreshToken()};
      System.out.println("route | Redis commands/request | PostgreSQL statements/request");
      measure(
          "GET /api/v1/tasks",
          client,
          jdbc,
          () -> server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/tasks?limit=20")));
      measure(
          "GET /api/v1/tasks/{id}",
          client,
          jdbc,
          () -> server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/tasks/" + id)));
      measure(
          "POST /api/v1/tasks",
          client,
          jdbc,
          () ->
              server.send(
                  TestUsers.as(server, u, HttpMethod.POST, "/api/v1/tasks"),
                  new JsonObject().put("title", "t")));
      measure(
          "POST /api/v1/auth/refresh",
          client,
          jdbc,
          () -> {
            HttpResponse<Buffer> r =
                server.send(
                    server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
                    new JsonObject().put("refresh_token", refresh[0]));
            refresh[0] = r.bodyAsJsonObject().getString("refresh_token");
            return r;
          });
      measure("GET /health", client, jdbc, () -> server.get("/health"));
      client.close();
    } finally {
      redis.stop();
      pg.close();
    }
  }

  private static void measure(
      String route, Redis redis, String jdbc, Supplier<HttpResponse<Buffer>> request)
      throws Exception {
    for (int i = 0; i < 20; i++) {
      request.get();
    }
    Thread.sleep(200);
    long redis0 = redisCalls(redis);
    long pg0 = statements(jdbc);
    for (int i = 0; i < N; i++) {
      int status = request.get().statusCode();
      if (status >= 300) {
        throw new AssertionError(route + " answered " + status);
      }
    }
    long redis1 = redisCalls(redis);
    long pg1 = statements(jdbc);
    System.out.printf(
        "%s | %.2f | %.2f%n", route, (redis1 - redis0) / (double) N, (pg1 - pg0) / (double) N);
  }

  /** Client commands: everything but INFO itself and what scripts run inside Redis. */
  private static long redisCalls(Redis redis) {
    String info =
        Await.result(redis.send(Request.cmd(Command.INFO).arg("commandstats"))).toString();
    long total = 0;
    for (String line : info.split("\r\n")) {
      if (line.startsWith("cmdstat_")
          && !line.matches(
              "cmdstat_(info|time|mget|hmget|hincrby|hdel|pexpire|hgetall|hset|get|incr|pttl)[:|].*")) {
        String calls = line.substring(line.indexOf("calls=") + 6);
        total += Long.parseLong(calls.substring(0, calls.indexOf(',')));
      }
    }
    return total;
  }

  /** Statements PostgreSQL ran (transaction control included), this query's own excepted. */
  private static long statements(String jdbc) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc, "postgres", null);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
                    + " WHERE query NOT ILIKE '%pg_stat_statements%'")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
