package dev.bulwark.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.DatabaseUrl;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bulwark behind a real PgBouncer in transaction mode with {@code DATABASE_PGBOUNCER=true}: every
 * route that touches PostgreSQL works while its connections share a single server connection, so
 * any statement left named on one would be missing (or clash) on the next. The migration runs
 * directly against PostgreSQL, as the docs say. Skipped only where the pgbouncer binary is absent
 * (CI installs it).
 */
class PgBouncerTest {
  private static final Path BINARY = Path.of("/usr/sbin/pgbouncer");
  private static Process pgbouncer;
  private static int port;
  private static String directUrl;

  @BeforeAll
  static void startPgBouncer() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY),
        "pgbouncer is not installed here (apt-get install -y pgbouncer); CI installs it");
    directUrl = TestServices.get().freshDatabaseUrl();
    Vertx vertx = Vertx.vertx();
    try {
      Migrations.migrate(vertx, DatabaseUrl.parse(directUrl)).await(120, TimeUnit.SECONDS);
    } finally {
      vertx.close().await();
    }
    DatabaseUrl direct = DatabaseUrl.parse(directUrl);
    port = TestServices.freePort();
    Path dir = Files.createTempDirectory("bulwark-pgbouncer");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path users = dir.resolve("userlist.txt");
    Files.writeString(users, "\"postgres\" \"\"\n");
    Path ini = dir.resolve("pgbouncer.ini");
    Files.writeString(
        ini,
        String.join(
            "\n",
            "[databases]",
            "bulwark = host=127.0.0.1 port="
                + direct.port()
                + " dbname="
                + direct.database()
                + " user=postgres",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            "listen_port = " + port,
            "unix_socket_dir =",
            "auth_type = trust",
            "auth_file = " + users,
            "pool_mode = transaction",
            // one server connection for every client connection: the strictest sharing there is
            "default_pool_size = 1",
            "max_client_conn = 200",
            "ignore_startup_parameters = extra_float_digits,options",
            ""));
    List<String> command = new ArrayList<>(List.of(BINARY.toString()));
    if ("root".equals(System.getProperty("user.name"))) {
      command.addAll(List.of("-u", "nobody")); // pgbouncer refuses to run as root
    }
    command.add(ini.toString());
    pgbouncer = new ProcessBuilder(command).redirectErrorStream(true).inheritIO().start();
    for (int i = 0; i < 100; i++) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException("pgbouncer did not start listening on " + port);
  }

  @AfterAll
  static void stopPgBouncer() throws InterruptedException {
    if (pgbouncer != null) {
      pgbouncer.destroy();
      pgbouncer.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Map<String, String> env(boolean pgbouncerMode) {
    Map<String, String> env = TestServer.baseEnv();
    env.put("DATABASE_URL", "postgresql://postgres@127.0.0.1:" + port + "/bulwark");
    env.put("DATABASE_MIGRATE_ON_START", "false");
    env.put("DATABASE_PGBOUNCER", Boolean.toString(pgbouncerMode));
    return env;
  }

  @Test
  void everyDatabaseRouteWorksThroughTransactionPoolingWithUnnamedStatements() {
    try (TestServer server = TestServer.start(env(true), Map.of())) {
      assertEquals(200, server.get("/ready").statusCode());
      TestUser u = TestUsers.signup(server);
      List<Future<HttpResponse<Buffer>>> creates = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        creates.add(
            TestUsers.as(server, u, HttpMethod.POST, "/api/v1/tasks")
                .sendJsonObject(new JsonObject().put("title", "task " + i)));
      }
      Await.result(Future.join(creates));
      for (Future<HttpResponse<Buffer>> f : creates) {
        assertEquals(201, f.result().statusCode(), () -> f.result().bodyAsString());
      }
      List<Future<HttpResponse<Buffer>>> reads = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        reads.add(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/tasks?limit=5").send());
      }
      Await.result(Future.join(reads));
      reads.forEach(f -> assertEquals(200, f.result().statusCode()));
      String id = creates.get(0).result().bodyAsJsonObject().getString("id");
      HttpResponse<Buffer> patched =
          server.send(
              TestUsers.as(server, u, HttpMethod.PATCH, "/api/v1/tasks/" + id)
                  .putHeader("If-Match", creates.get(0).result().getHeader("ETag")),
              new JsonObject().put("title", "renamed"));
      assertEquals(200, patched.statusCode(), patched::bodyAsString);
      // refresh and logout: transactions with row locks and the revocation record
      HttpResponse<Buffer> refreshed =
          server.send(
              server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
              new JsonObject().put("refresh_token", u.refreshToken()));
      assertEquals(200, refreshed.statusCode(), refreshed::bodyAsString);
      HttpResponse<Buffer> export =
          server.send(TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me/export"));
      assertEquals(200, export.statusCode(), "the streamed export: a cursor in a transaction");
      assertTrue(export.bodyAsString().contains("renamed"), "the export streamed the tasks");
      assertEquals(
          204,
          server
              .send(TestUsers.as(server, u, HttpMethod.POST, "/api/v1/auth/logout"))
              .statusCode());
    }
  }
}
