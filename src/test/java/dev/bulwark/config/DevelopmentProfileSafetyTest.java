package dev.bulwark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The development profile never signs with a published key, and cannot be picked up by accident by
 * a deployment: its signing key is generated per data folder, and a forgotten ENVIRONMENT next to a
 * remote database is refused.
 */
class DevelopmentProfileSafetyTest {
  private static Vertx vertx;

  @TempDir Path temp;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  private static BulwarkConfig load(Map<String, String> env) {
    return Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, Map.of()));
  }

  @Test
  void confShipsNoDevelopmentSigningKey() {
    var tree =
        Await.result(
            new ConfigLoader(vertx, Path.of("conf"))
                .loadTree(Map.of("ENVIRONMENT", "development"), Map.of()));
    assertNull(
        new ConfigReader(tree).optionalString("jwt.secret"),
        "a key in conf/ is a key everyone has");
  }

  @Test
  void developmentSigningKeyIsRandomPerDataFolderKeptOwnerOnlyAndReused() throws Exception {
    Path first = temp.resolve("a");
    Path second = temp.resolve("b");
    String key = load(Map.of("DEV_DATA_DIR", first.toString())).jwt().secret();
    assertTrue(key.getBytes(StandardCharsets.UTF_8).length >= JwtConfig.MIN_SECRET_BYTES, key);
    assertFalse(
        Preflight.isPlaceholder(key), "a generated key passes the production placeholder check");

    Path file = first.resolve(DevSecrets.FILE_NAME);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(Files.readString(file).contains(key));

    assertEquals(
        key,
        load(Map.of("DEV_DATA_DIR", first.toString())).jwt().secret(),
        "the next start reuses it");
    assertNotEquals(
        key,
        load(Map.of("DEV_DATA_DIR", second.toString())).jwt().secret(),
        "another folder, another key");
  }

  @Test
  void anExplicitKeyWinsAndNothingIsWritten() {
    String given = "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx";
    String pepper = "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb";
    BulwarkConfig config =
        load(
            Map.of(
                "DEV_DATA_DIR",
                temp.toString(),
                "JWT_SECRET_KEY",
                given,
                "PASSWORD_PEPPER",
                pepper,
                "MFA_ENCRYPTION_KEY",
                "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9"));
    assertEquals(given, config.jwt().secret());
    assertEquals(pepper, config.auth().passwordPepper());
    assertFalse(Files.exists(temp.resolve(DevSecrets.FILE_NAME)));
  }

  @Test
  void theSecretsFileHoldsSeveralNamedSecretsAndIsNarrowedToItsOwner() throws Exception {
    Map<String, String> one = DevSecrets.ensure(temp, List.of("jwt.secret"));
    Files.setPosixFilePermissions(
        temp.resolve(DevSecrets.FILE_NAME), PosixFilePermissions.fromString("rw-r--r--"));
    Map<String, String> two = DevSecrets.ensure(temp, List.of("jwt.secret", "auth.pepper"));
    assertEquals(one.get("jwt.secret"), two.get("jwt.secret"));
    assertNotEquals(two.get("jwt.secret"), two.get("auth.pepper"));
    assertEquals(43, two.get("auth.pepper").length(), "32 random bytes, base64url");

    Properties stored = new Properties();
    try (var in = Files.newInputStream(temp.resolve(DevSecrets.FILE_NAME))) {
      stored.load(in);
    }
    assertEquals(
        two,
        Map.of(
            "jwt.secret",
            stored.getProperty("jwt.secret"),
            "auth.pepper",
            stored.getProperty("auth.pepper")));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(temp.resolve(DevSecrets.FILE_NAME))));
  }

  @Test
  void unsetEnvironmentWithADatabaseElsewhereIsRefusedSayingWhatToSet() {
    for (Map<String, String> env :
        List.of(
            Map.of(
                "DATABASE_URL",
                "postgresql://app:s3cret-pw@db.invalid:5432/app",
                "DEV_DATA_DIR",
                temp.toString()),
            Map.of(
                "ENVIRONMENT",
                " ",
                "DATABASE_URL",
                "postgresql://app:s3cret-pw@db.invalid/app",
                "DEV_DATA_DIR",
                temp.toString()))) {
      ConfigException e = assertThrows(ConfigException.class, () -> load(env));
      assertEquals(1, e.problems().size(), e::getMessage);
      ConfigProblem p = e.problems().get(0);
      assertEquals("environment", p.key());
      assertTrue(
          p.toString().contains("(env ENVIRONMENT)")
              && p.message().contains("ENVIRONMENT is not set")
              && p.message().contains("db.invalid")
              && p.message().contains("ENVIRONMENT=production"),
          p::toString);
      assertFalse(e.getMessage().contains("s3cret-pw"), "no password in the message");
      assertFalse(
          Files.exists(temp.resolve(DevSecrets.FILE_NAME)), "a refused start writes no secrets");
    }
  }

  @Test
  void unsetEnvironmentWithALocalDatabaseOrAChosenOneStarts() {
    for (String host : List.of("127.0.0.1", "localhost", "[::1]", "127.0.1.1")) {
      BulwarkConfig c =
          load(
              Map.of(
                  "DATABASE_URL",
                  "postgresql://postgres@" + host + ":5432/app",
                  "DEV_DATA_DIR",
                  temp.toString()));
      assertEquals(Environment.DEVELOPMENT, c.environment(), host);
    }
    BulwarkConfig chosen =
        load(
            Map.of(
                "ENVIRONMENT",
                "development",
                "DATABASE_URL",
                "postgresql://app@db.invalid/app",
                "DEV_DATA_DIR",
                temp.toString()));
    assertEquals(
        "db.invalid", chosen.database().url().host(), "ENVIRONMENT=development said on purpose");
  }

  @Test
  void loopbackMeansThisMachineWithoutLookingNamesUp() {
    for (String host :
        List.of(
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.9.8.7",
            "::1",
            "[::1]",
            "0.0.0.0",
            "dev.localhost")) {
      assertTrue(ConfigLoader.isLoopback(host), host);
    }
    for (String host :
        List.of(
            "db",
            "db.example.com",
            "10.0.0.5",
            "192.168.1.2",
            "127.0.0.1.nip.io",
            "[2001:db8::1]")) {
      assertFalse(ConfigLoader.isLoopback(host), host);
    }
  }
}
