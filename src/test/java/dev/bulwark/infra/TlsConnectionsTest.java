package dev.bulwark.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.testing.SelfSignedCert;
import dev.bulwark.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * DATABASE_URL's sslmode and REDIS_URL's rediss:// against real PostgreSQL and Redis serving TLS
 * with a self-signed certificate for "localhost" only: verification passes with its CA file and
 * that name, and fails with another name (verify-full) or without the CA (the JVM's trust store
 * does not know it).
 */
class TlsConnectionsTest {
  private static Vertx vertx;
  private static SelfSignedCert cert;
  private static EmbeddedPostgres postgres;
  private static RedisServer redis;
  private static int redisTlsPort;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    Path dir = Files.createTempDirectory("bulwark-tls");
    cert = SelfSignedCert.create(dir, "dns:localhost");
    postgres =
        EmbeddedPostgres.builder()
            .setDataDirectory(dir.resolve("pg"))
            .setCleanDataDirectory(true)
            .setServerConfig("ssl", "on")
            .setServerConfig("ssl_cert_file", cert.certificate().toString())
            .setServerConfig("ssl_key_file", cert.privateKey().toString())
            .setServerConfig("fsync", "off")
            .start();
    redisTlsPort = TestServices.freePort();
    redis =
        RedisServer.newRedisServer()
            .bind("127.0.0.1")
            .port(TestServices.freePort())
            .setting("tls-port " + redisTlsPort)
            .setting("tls-cert-file " + cert.certificate())
            .setting("tls-key-file " + cert.privateKey())
            .setting("tls-auth-clients no")
            .setting("save \"\"")
            .build();
    redis.start();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    redis.stop();
    postgres.close();
  }

  private static BulwarkConfig config(Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("ENVIRONMENT", "development");
    return new ConfigLoader(vertx, Path.of("conf")).load(all, Map.of()).await(30, TimeUnit.SECONDS);
  }

  private static String pgUrl(String host, String sslMode) {
    return "postgresql://postgres@"
        + host
        + ":"
        + postgres.getPort()
        + "/postgres?sslmode="
        + sslMode;
  }

  /** Whether the pool's connection is TLS, as the server sees it. */
  private static Future<Boolean> serverSeesTls(Map<String, String> env) throws Exception {
    Pool pool = PostgresPool.create(vertx, config(env).database());
    return pool.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .execute()
        .map(rows -> rows.iterator().next().getBoolean(0))
        .eventually(pool::close);
  }

  private static <T> void assertTlsRefused(Future<T> attempt) {
    Throwable failure = assertFails(attempt);
    assertTrue(
        causedBy(failure, SSLException.class)
            || String.valueOf(failure.getMessage()).contains("SSL handshake failed"),
        "refused by TLS verification: " + failure);
  }

  private static <T> Throwable assertFails(Future<T> attempt) {
    T value;
    try {
      value = attempt.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("expected a refusal, got " + value);
  }

  private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void verifyFullWithTheCaFileConnectsOverTls() throws Exception {
    assertEquals(
        Boolean.TRUE,
        serverSeesTls(
                Map.of(
                    "DATABASE_URL",
                    pgUrl("localhost", "verify-full"),
                    "DATABASE_CA_FILE",
                    cert.certificate().toString()))
            .await(30, TimeUnit.SECONDS));
    assertEquals(
        Boolean.TRUE,
        serverSeesTls(
                Map.of(
                    "DATABASE_URL",
                    pgUrl("localhost", "verify-full") + "&sslrootcert=" + cert.certificate()))
            .await(30, TimeUnit.SECONDS),
        "sslrootcert in the URL does the same");
  }

  @Test
  void verifyFullRefusesACertificateForAnotherHostName() throws Exception {
    assertTlsRefused(
        serverSeesTls(
            Map.of(
                "DATABASE_URL",
                pgUrl("127.0.0.1", "verify-full"),
                "DATABASE_CA_FILE",
                cert.certificate().toString())));
  }

  @Test
  void verifyCaChecksTheChainButNotTheName() throws Exception {
    assertEquals(
        Boolean.TRUE,
        serverSeesTls(
                Map.of(
                    "DATABASE_URL",
                    pgUrl("127.0.0.1", "verify-ca"),
                    "DATABASE_CA_FILE",
                    cert.certificate().toString()))
            .await(30, TimeUnit.SECONDS));
  }

  @Test
  void withoutTheCaFileTheJvmTrustStoreDoesNotKnowThisServer() throws Exception {
    assertTlsRefused(serverSeesTls(Map.of("DATABASE_URL", pgUrl("localhost", "verify-full"))));
  }

  @Test
  void requireEncryptsWithoutVerifying() throws Exception {
    assertEquals(
        Boolean.TRUE,
        serverSeesTls(Map.of("DATABASE_URL", pgUrl("127.0.0.1", "require")))
            .await(30, TimeUnit.SECONDS));
  }

  @Test
  void migrationsConnectWithTheSameVerification() throws Exception {
    var verified =
        config(
                Map.of(
                    "DATABASE_URL",
                    pgUrl("localhost", "verify-full"),
                    "DATABASE_CA_FILE",
                    cert.certificate().toString()))
            .database()
            .url();
    assertTrue(Migrations.migrate(vertx, verified).await(60, TimeUnit.SECONDS) >= 0);
    var wrongName =
        config(
                Map.of(
                    "DATABASE_URL",
                    pgUrl("127.0.0.1", "verify-full"),
                    "DATABASE_CA_FILE",
                    cert.certificate().toString()))
            .database()
            .url();
    assertFails(Migrations.migrate(vertx, wrongName));
  }

  private static Future<String> ping(Map<String, String> env) throws Exception {
    Redis client = RedisConnector.create(vertx, config(env).redis());
    return client.send(Request.cmd(Command.PING)).map(r -> r.toString()).eventually(client::close);
  }

  @Test
  void redissVerifiesTheServerCertificateAndName() throws Exception {
    String ca = cert.certificate().toString();
    Function<String, String> url = host -> "rediss://" + host + ":" + redisTlsPort;
    assertEquals(
        "PONG",
        ping(Map.of("REDIS_URL", url.apply("localhost"), "REDIS_CA_FILE", ca))
            .await(30, TimeUnit.SECONDS));
    assertTlsRefused(ping(Map.of("REDIS_URL", url.apply("127.0.0.1"), "REDIS_CA_FILE", ca)));
    assertTlsRefused(ping(Map.of("REDIS_URL", url.apply("localhost"))));
  }
}
