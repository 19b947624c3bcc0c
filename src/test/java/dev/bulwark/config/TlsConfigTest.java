package dev.bulwark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.infra.PostgresPool;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.SelfSignedCert;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sslmode, sslrootcert / DATABASE_CA_FILE and REDIS_CA_FILE as read, and the connect options they
 * become.
 */
class TlsConfigTest {
  private static Vertx vertx;
  @TempDir static Path dir;
  private static String ca;

  @BeforeAll
  static void setUp() throws Exception {
    vertx = Vertx.vertx();
    ca = SelfSignedCert.create(dir, "dns:db.internal").certificate().toString();
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  private static BulwarkConfig load(Map<String, String> given) {
    Map<String, String> env = new HashMap<>(given);
    env.putIfAbsent(
        "ENVIRONMENT", "development"); // development against a database elsewhere, on purpose
    env.putIfAbsent("PASSWORD_PEPPER", "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb");
    env.putIfAbsent("MFA_ENCRYPTION_KEY", "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9");
    return Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, Map.of()));
  }

  private static List<ConfigProblem> problems(Map<String, String> env) {
    return assertThrows(ConfigException.class, () -> load(env)).problems();
  }

  private static PgConnectOptions pg(String url, String caFile) {
    Map<String, String> env = new HashMap<>(Map.of("DATABASE_URL", url));
    if (caFile != null) {
      env.put("DATABASE_CA_FILE", caFile);
    }
    return PostgresPool.connectOptions(load(env).database());
  }

  @Test
  void verifyFullTrustsTheCaFileAndChecksTheHostName() {
    PgConnectOptions o = pg("postgresql://u:p@db.internal/app?sslmode=verify-full", ca);
    assertEquals(SslMode.VERIFY_FULL, o.getSslMode());
    ClientSSLOptions tls = o.getSslOptions();
    assertEquals("HTTPS", tls.getHostnameVerificationAlgorithm());
    assertEquals(List.of(ca), ((PemTrustOptions) tls.getTrustOptions()).getCertPaths());
    assertTrue(!tls.isTrustAll());
  }

  @Test
  void verifyModesWithoutACaFileTrustTheJvmStore() {
    for (String url :
        new String[] {
          "postgresql://u@db.internal/app?sslmode=verify-full",
          "postgresql://u@db.internal/app?sslmode=verify-full&sslrootcert=system"
        }) {
      ClientSSLOptions tls = pg(url, null).getSslOptions();
      assertEquals("SystemTrust", tls.getTrustOptions().getClass().getSimpleName(), url);
      assertTrue(!tls.isTrustAll());
    }
    ClientSSLOptions verifyCa =
        pg("postgresql://u@db.internal/app?sslmode=verify-ca", null).getSslOptions();
    assertEquals(
        "",
        verifyCa.getHostnameVerificationAlgorithm(),
        "verify-ca checks the chain, not the name");
  }

  @Test
  void requireAndPreferEncryptWithoutVerifyingAndDisableHasNoTls() {
    for (String mode : new String[] {"require", "prefer", "allow"}) {
      PgConnectOptions o = pg("postgresql://u@db.internal/app?sslmode=" + mode, null);
      assertEquals(SslMode.of(mode), o.getSslMode());
      assertTrue(o.getSslOptions().isTrustAll(), mode);
    }
    assertEquals(SslMode.DISABLE, pg("postgresql://u@db.internal/app", null).getSslMode());
  }

  @Test
  void theJdbcUrlForMigrationsVerifiesTheSameWay() {
    assertEquals(
        "jdbc:postgresql://db.internal:5432/app?sslmode=verify-full&sslrootcert="
            + java.net.URLEncoder.encode(ca, java.nio.charset.StandardCharsets.UTF_8),
        load(Map.of(
                "DATABASE_URL",
                "postgresql://u@db.internal/app?sslmode=verify-full",
                "DATABASE_CA_FILE",
                ca))
            .database()
            .url()
            .jdbcUrl());
    assertEquals(
        "jdbc:postgresql://db.internal:5432/app?sslmode=verify-ca&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory",
        load(Map.of("DATABASE_URL", "postgresql://u@db.internal/app?sslmode=verify-ca"))
            .database()
            .url()
            .jdbcUrl());
    assertEquals(
        "jdbc:postgresql://db.internal:5432/app?sslmode=require",
        load(Map.of("DATABASE_URL", "postgresql://u@db.internal/app?sslmode=require"))
            .database()
            .url()
            .jdbcUrl());
  }

  @Test
  void caFilesThatCannotVerifyAnythingAreRefused() throws Exception {
    Path notPem = Files.writeString(dir.resolve("not-a-cert.pem"), "hello");
    List<ConfigProblem> p =
        problems(
            Map.of(
                "DATABASE_URL",
                "postgresql://u@db/app?sslmode=verify-full",
                "DATABASE_CA_FILE",
                dir.resolve("missing.pem").toString()));
    assertTrue(
        p.get(0).toString().startsWith("database.caFile (env DATABASE_CA_FILE): cannot read"),
        p::toString);
    p =
        problems(
            Map.of(
                "DATABASE_URL",
                "postgresql://u@db/app?sslmode=verify-full",
                "DATABASE_CA_FILE",
                notPem.toString()));
    assertTrue(p.get(0).message().contains("no certificate"), p::toString);
    p =
        problems(
            Map.of(
                "DATABASE_URL", "postgresql://u@db/app?sslmode=require", "DATABASE_CA_FILE", ca));
    assertTrue(p.get(0).message().contains("only with sslmode=verify-full"), p::toString);
    p = problems(Map.of("DATABASE_URL", "postgresql://u@db/app?sslmode=require&sslrootcert=" + ca));
    assertEquals("database.url", p.get(0).key(), p::toString);
    p = problems(Map.of("REDIS_URL", "redis://cache:6379", "REDIS_CA_FILE", ca));
    assertTrue(
        p.get(0)
            .toString()
            .startsWith(
                "redis.caFile (env REDIS_CA_FILE): a CA file is used only with a rediss://"),
        p::toString);
    assertEquals(
        ca, load(Map.of("REDIS_URL", "rediss://cache:6380", "REDIS_CA_FILE", ca)).redis().caFile());
    assertNull(load(Map.of("REDIS_URL", "rediss://cache:6380")).redis().caFile());
  }

  private static List<String> warnings(Map<String, String> extra) {
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "ENVIRONMENT",
                "production",
                "ALLOWED_HOSTS",
                "api.example.com",
                "JWT_SECRET_KEY",
                "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx",
                "SMTP_URL",
                "smtp://127.0.0.1:25",
                "PUBLIC_BASE_URL",
                "https://app.example.com"));
    env.putAll(extra);
    return Preflight.warnings(load(env)).stream().map(ConfigProblem::toString).toList();
  }

  @Test
  void productionWarnsWhenPostgresOrRedisIsReachedWithoutTlsOverANetwork() {
    List<String> w =
        warnings(
            Map.of(
                "DATABASE_URL",
                "postgresql://u:p@db.internal:5432/app?sslmode=prefer",
                "REDIS_URL",
                "redis://:pw@cache.internal:6379"));
    assertEquals(2, w.size(), w::toString);
    assertTrue(
        w.get(0)
            .startsWith(
                "database.url (env DATABASE_URL): connects to db.internal without TLS (sslmode=prefer)"),
        w::toString);
    assertTrue(
        w.get(1)
            .startsWith(
                "redis.url (env REDIS_URL): connects to cache.internal without TLS; use rediss://"),
        w::toString);

    assertEquals(
        List.of(),
        warnings(
            Map.of(
                "DATABASE_URL",
                "postgresql://u:p@db.internal/app?sslmode=verify-full",
                "REDIS_URL",
                "rediss://cache.internal:6380")),
        "TLS to both");
    assertEquals(
        List.of(),
        warnings(
            Map.of(
                "DATABASE_URL",
                "postgresql://u:p@db.internal/app?sslmode=require",
                "REDIS_URL",
                "rediss://cache.internal:6380")),
        "require is TLS");
    assertEquals(
        List.of(),
        warnings(
            Map.of(
                "DATABASE_URL",
                "postgresql://u:p@127.0.0.1/app",
                "REDIS_URL",
                "redis://localhost:6379")),
        "loopback needs no TLS");
  }
}
