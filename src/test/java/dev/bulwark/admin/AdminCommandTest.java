package dev.bulwark.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.Environment;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar bulwark.jar admin create --email E}: the first administrator from the command
 * line, the password never an argument, idempotent, and refused under the production profile once
 * an administrator exists unless {@code --force}.
 */
class AdminCommandTest {
  private static final String PASSWORD = "a-Long-admin-passphrase-7";

  record Result(int exit, String output) {}

  /** Runs {@code dev.bulwark.Main} in its own JVM, writing {@code stdin} to it. */
  static Result run(Map<String, String> env, String stdin, String... args) throws Exception {
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
                    "ENVIRONMENT|DATABASE_URL|REDIS_URL|JWT_SECRET_KEY|PASSWORD_PEPPER|HTTP_PORT|"
                        + AdminCommand.PASSWORD_ENV));
    pb.environment().putAll(env);
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("process did not exit");
    }
    return new Result(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void createsTheFirstAdminFromStdinAndIsIdempotent() throws Exception {
    String db = TestServices.get().freshDatabaseUrl();
    Map<String, String> env = new HashMap<>(TestServer.baseEnv());
    env.put("DATABASE_URL", db);

    Result created = run(env, PASSWORD + "\n", "admin", "create", "--email", "Boss@Example.com");
    assertEquals(0, created.exit(), created.output());
    assertTrue(
        created.output().contains("boss@example.com created as an administrator"),
        created.output());
    assertFalse(created.output().contains(PASSWORD), "the password is never printed");

    Result again = run(env, PASSWORD + "\n", "admin", "create", "--email", "boss@example.com");
    assertEquals(0, again.exit(), again.output());
    assertTrue(again.output().contains("already an administrator"), again.output());
    assertEquals(1, Staff.count(db, "SELECT count(*) FROM users"));

    Map<String, String> withEnvPassword = new HashMap<>(env);
    withEnvPassword.put(AdminCommand.PASSWORD_ENV, PASSWORD);
    Result second = run(withEnvPassword, null, "admin", "create", "--email", "deputy@example.com");
    assertEquals(0, second.exit(), second.output());
    assertEquals(
        2,
        Staff.count(db, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL"));
    assertEquals(
        1,
        Staff.count(
            db,
            "SELECT count(*) FROM audit_events WHERE event_type = 'admin_bootstrap' AND user_id = (SELECT id FROM users WHERE email = 'deputy@example.com')"));

    try (TestServer server = TestServer.start(env, Map.of())) {
      HttpResponse<Buffer> login =
          server.send(
              server.request(HttpMethod.POST, "/api/v1/auth/login"),
              new JsonObject().put("email", "boss@example.com").put("password", PASSWORD));
      assertEquals(200, login.statusCode(), login.bodyAsString());
      String token = login.bodyAsJsonObject().getString("access_token");
      assertEquals("admin", TestUsers.claims(token).getString("role"));
      assertEquals(
          200,
          server
              .send(
                  server
                      .request(HttpMethod.GET, "/api/v1/admin/users")
                      .putHeader("Authorization", "Bearer " + token))
              .statusCode());
    }
  }

  @Test
  void thePasswordIsNeverAnArgumentAndMustPassThePolicy() throws Exception {
    Map<String, String> env = new HashMap<>(TestServer.baseEnv());
    Result asArgument =
        run(env, null, "admin", "create", "--email", "a@example.com", "--password", PASSWORD);
    assertEquals(64, asArgument.exit(), asArgument.output());
    assertTrue(asArgument.output().contains("never an argument"), asArgument.output());

    Result none = run(env, "", "admin", "create", "--email", "a@example.com");
    assertEquals(64, none.exit(), none.output());
    assertTrue(none.output().contains("no password"), none.output());

    Result weak = run(env, "password\n", "admin", "create", "--email", "a@example.com");
    assertEquals(64, weak.exit(), weak.output());

    Result badEmail = run(env, PASSWORD + "\n", "admin", "create", "--email", "not-an-email");
    assertEquals(64, badEmail.exit(), badEmail.output());

    Result noSub = run(env, null, "admin", "delete");
    assertEquals(64, noSub.exit(), noSub.output());
  }

  @Test
  void productionRefusesASecondAdminWithoutForce() throws Exception {
    String db = TestServices.get().freshDatabaseUrl();
    Map<String, String> env = new HashMap<>(TestServer.baseEnv());
    env.put("DATABASE_URL", db);
    BulwarkConfig production = asProduction(env);
    Map<String, String> password = Map.of(AdminCommand.PASSWORD_ENV, PASSWORD);

    assertEquals(0, run(production, password, "create", "--email", "first@example.com").exit());
    Result refused = run(production, password, "create", "--email", "second@example.com");
    assertEquals(AdminCommand.REFUSED, refused.exit(), refused.output());
    assertTrue(refused.output().contains("--force"), refused.output());
    assertEquals(1, Staff.count(db, "SELECT count(*) FROM users"));

    Result again = run(production, password, "create", "--email", "first@example.com");
    assertEquals(0, again.exit(), "idempotent, even in production: " + again.output());

    Result forced = run(production, password, "create", "--email", "second@example.com", "--force");
    assertEquals(0, forced.exit(), forced.output());
    assertEquals(2, Staff.count(db, "SELECT count(*) FROM users WHERE role = 'admin'"));
  }

  /** The command in this JVM, under a configuration that says production. */
  private static Result run(BulwarkConfig config, Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int exit =
        AdminCommand.run(
            List.of(args), config, env, new ByteArrayInputStream(new byte[0]), print, print);
    return new Result(exit, out.toString(StandardCharsets.UTF_8));
  }

  private static BulwarkConfig asProduction(Map<String, String> env) {
    Vertx vertx = Vertx.vertx();
    try {
      BulwarkConfig c = Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, Map.of()));
      return new BulwarkConfig(
          Environment.PRODUCTION,
          c.http(),
          c.database(),
          c.redis(),
          c.devServices(),
          c.jwt(),
          c.auth(),
          c.hasher(),
          c.corsOrigins(),
          c.docsEnabled(),
          c.rateLimit(),
          c.tasks(),
          c.shutdown(),
          c.metrics(),
          c.logging(),
          c.retention(),
          c.admin(),
          c.outbox(),
          c.identity(),
          c.phone(),
          c.storage(),
          c.mfa(),
          c.tracing(),
          c.errorReporting());
    } finally {
      Await.result(vertx.close());
    }
  }
}
