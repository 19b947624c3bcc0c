package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.ConfigProblem;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RS256 and ES256 access tokens from PEM keys: signed under a kid, verified with the current and
 * previous public keys (rotation), published as a JWK set, and never accepted under another
 * algorithm — above all HS256 "signed" with the public key (key confusion) or alg none.
 */
class AsymmetricTokensTest {
  @TempDir Path dir;

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private Map<String, String> env(String algorithm, KeyPair keys, String kid) throws Exception {
    Map<String, String> env = TestServer.baseEnv();
    env.put("JWT_ALGORITHM", algorithm);
    env.put(
        "JWT_PRIVATE_KEY",
        write(kid + ".key", pem("PRIVATE KEY", keys.getPrivate().getEncoded())).toString());
    env.put("JWT_PUBLIC_KEY", pem("PUBLIC KEY", keys.getPublic().getEncoded())); // inline works too
    env.put("JWT_KEY_ID", kid);
    return env;
  }

  private static JsonObject header(String jwt) {
    return new JsonObject(
        new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8));
  }

  private static HttpResponse<Buffer> me(TestServer server, String token) {
    return server.send(
        server.request(HttpMethod.GET, "/api/v1/me").putHeader("Authorization", "Bearer " + token));
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * A token with the claims of {@code model} (a real token) and the given header, HMAC-SHA256
   * "signed" with key.
   */
  private static String hmacForgery(String model, JsonObject header, byte[] key) throws Exception {
    String payload = model.split("\\.")[1];
    String input = b64(header.encode().getBytes(StandardCharsets.UTF_8)) + "." + payload;
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void rs256TokensCarryTheKidAndVerifyAndTheJwksPublishesTheKey() throws Exception {
    KeyPair keys = rsa();
    try (TestServer server = TestServer.start(env("RS256", keys, "rsa-2026"), Map.of())) {
      TestUser user = TestUsers.signup(server);
      JsonObject header = header(user.accessToken());
      assertEquals("RS256", header.getString("alg"));
      assertEquals("rsa-2026", header.getString("kid"));
      assertEquals(200, me(server, user.accessToken()).statusCode());

      HttpResponse<Buffer> r = server.get("/.well-known/jwks.json");
      assertEquals(200, r.statusCode());
      assertEquals("application/jwk-set+json", r.getHeader("Content-Type"));
      assertEquals("public, max-age=300", r.getHeader("Cache-Control"));
      JsonArray set = r.bodyAsJsonObject().getJsonArray("keys");
      assertEquals(1, set.size());
      JsonObject jwk = set.getJsonObject(0);
      RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
      assertEquals("RSA", jwk.getString("kty"));
      assertEquals("rsa-2026", jwk.getString("kid"));
      assertEquals("sig", jwk.getString("use"));
      assertEquals("RS256", jwk.getString("alg"));
      assertEquals(
          pub.getModulus(), new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("n"))));
      assertEquals(
          pub.getPublicExponent(),
          new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("e"))));
      assertTrue(
          set.stream().noneMatch(k -> ((JsonObject) k).containsKey("d")),
          "no private part is published");
    }
  }

  @Test
  void keyConfusionAlgNoneAndTamperingAreRefused() throws Exception {
    KeyPair keys = rsa();
    try (TestServer server = TestServer.start(env("RS256", keys, "k1"), Map.of())) {
      String real = TestUsers.signup(server).accessToken();
      String publicPem = pem("PUBLIC KEY", keys.getPublic().getEncoded());
      JsonObject hs = new JsonObject().put("alg", "HS256").put("typ", "JWT").put("kid", "k1");
      assertProblem(
          me(server, hmacForgery(real, hs, publicPem.getBytes(StandardCharsets.US_ASCII))),
          401,
          "token_algorithm_rejected");
      assertProblem(
          me(server, hmacForgery(real, hs, keys.getPublic().getEncoded())),
          401,
          "token_algorithm_rejected");
      String[] parts = real.split("\\.");
      String none =
          b64(
                  new JsonObject()
                      .put("alg", "none")
                      .put("typ", "JWT")
                      .encode()
                      .getBytes(StandardCharsets.UTF_8))
              + "."
              + parts[1]
              + ".";
      assertProblem(me(server, none), 401, "invalid_token");
      String noneSigned =
          b64(new JsonObject().put("alg", "none").encode().getBytes(StandardCharsets.UTF_8))
              + "."
              + parts[1]
              + "."
              + parts[2];
      assertProblem(me(server, noneSigned), 401, "token_algorithm_rejected");
      JsonObject claims =
          new JsonObject(
              new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      String tampered =
          parts[0]
              + "."
              + b64(
                  claims
                      .put("exp", claims.getLong("exp") + 3600)
                      .encode()
                      .getBytes(StandardCharsets.UTF_8))
              + "."
              + parts[2];
      assertProblem(me(server, tampered), 401, "invalid_signature");
    }
  }

  @Test
  void rotationAcceptsPreviousKeysUntilTheyAreDropped() throws Exception {
    KeyPair oldKeys = rsa();
    KeyPair newKeys = rsa();
    KeyPair strangerKeys = rsa();
    String oldToken;
    try (TestServer before = TestServer.start(env("RS256", oldKeys, "k1"), Map.of())) {
      oldToken = TestUsers.signup(before).accessToken();
    }
    Map<String, String> rotated = env("RS256", newKeys, "k2");
    rotated.put(
        "JWT_PREVIOUS_PUBLIC_KEYS",
        "k1=" + write("k1.pub", pem("PUBLIC KEY", oldKeys.getPublic().getEncoded())));
    try (TestServer after = TestServer.start(rotated, Map.of())) {
      assertEquals(
          200,
          me(after, oldToken).statusCode(),
          "a token signed with the previous key still works");
      String newToken = TestUsers.signup(after).accessToken();
      assertEquals(
          "k2", header(newToken).getString("kid"), "new tokens are signed with the new key");
      List<String> kids =
          after.get("/.well-known/jwks.json").bodyAsJsonObject().getJsonArray("keys").stream()
              .map(k -> ((JsonObject) k).getString("kid"))
              .toList();
      assertEquals(List.of("k2", "k1"), kids);

      // a key nobody configured, even under a kid that is configured, is refused
      Vertx vertx = Vertx.vertx();
      try {
        JWTAuth stranger =
            JWTAuth.create(
                vertx,
                new JWTAuthOptions()
                    .addPubSecKey(
                        new PubSecKeyOptions()
                            .setAlgorithm("RS256")
                            .setId("k1")
                            .setBuffer(
                                pem("PRIVATE KEY", strangerKeys.getPrivate().getEncoded()))));
        JsonObject claims =
            new JsonObject(
                new String(
                    Base64.getUrlDecoder().decode(oldToken.split("\\.")[1]),
                    StandardCharsets.UTF_8));
        String forged =
            stranger.generateToken(
                claims, new JWTOptions().setAlgorithm("RS256").setNoTimestamp(true));
        assertEquals("k1", header(forged).getString("kid"));
        assertProblem(me(after, forged), 401, "invalid_signature");
      } finally {
        vertx.close().await();
      }
    }
    try (TestServer dropped = TestServer.start(env("RS256", newKeys, "k2"), Map.of())) {
      assertProblem(me(dropped, oldToken), 401, "invalid_signature");
    }
  }

  @Test
  void es256WorksWithAP256Key() throws Exception {
    KeyPair keys = ec();
    try (TestServer server = TestServer.start(env("ES256", keys, "ec-1"), Map.of())) {
      TestUser user = TestUsers.signup(server);
      assertEquals("ES256", header(user.accessToken()).getString("alg"));
      assertEquals(
          64,
          Base64.getUrlDecoder().decode(user.accessToken().split("\\.")[2]).length,
          "JWS form of the signature (R || S), not DER");
      assertEquals(200, me(server, user.accessToken()).statusCode());
      JsonObject jwk =
          server
              .get("/.well-known/jwks.json")
              .bodyAsJsonObject()
              .getJsonArray("keys")
              .getJsonObject(0);
      ECPublicKey pub = (ECPublicKey) keys.getPublic();
      assertEquals("EC", jwk.getString("kty"));
      assertEquals("P-256", jwk.getString("crv"));
      assertEquals(
          pub.getW().getAffineX(),
          new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("x"))));
      assertEquals(
          pub.getW().getAffineY(),
          new BigInteger(1, Base64.getUrlDecoder().decode(jwk.getString("y"))));
    }
  }

  @Test
  void hs256PublishesAnEmptyKeySet() {
    try (TestServer server = TestServer.start()) {
      assertEquals(
          0, server.get("/.well-known/jwks.json").bodyAsJsonObject().getJsonArray("keys").size());
    }
  }

  @Test
  void badKeyConfigurationIsRefusedAtStartUpNamingTheKey() throws Exception {
    KeyPair rsa = rsa();
    KeyPair other = rsa();
    KeyPair ec = ec();
    assertTrue(
        problems(Map.of("JWT_ALGORITHM", "RS256")).stream()
            .anyMatch(p -> p.key().equals("jwt.privateKey")),
        "RS256 without keys");
    Map<String, String> mismatched = env("RS256", rsa, "k1");
    mismatched.put("JWT_PUBLIC_KEY", pem("PUBLIC KEY", other.getPublic().getEncoded()));
    assertTrue(
        problems(mismatched).stream()
            .anyMatch(
                p ->
                    p.key().equals("jwt.publicKey")
                        && p.message().contains("is not the public key")),
        () -> problems(mismatched).toString());
    Map<String, String> wrongType = env("ES256", rsa, "k1");
    assertTrue(
        problems(wrongType).stream()
            .anyMatch(
                p ->
                    p.key().equals("jwt.privateKey")
                        && p.message().contains("not a usable ES256 private key")),
        () -> problems(wrongType).toString());
    Map<String, String> missingFile = env("ES256", ec, "k1");
    missingFile.put("JWT_PRIVATE_KEY", dir.resolve("nope.pem").toString());
    assertTrue(
        problems(missingFile).stream()
            .anyMatch(p -> p.key().equals("jwt.privateKey") && p.message().contains("cannot read")),
        () -> problems(missingFile).toString());
    assertTrue(
        problems(Map.of("JWT_ALGORITHM", "PS512")).stream()
            .anyMatch(p -> p.key().equals("jwt.algorithm")));
    KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
    small.initialize(1024);
    Map<String, String> weak = env("RS256", small.generateKeyPair(), "k1");
    assertTrue(
        problems(weak).stream().anyMatch(p -> p.message().contains("at least 2048 bits")),
        () -> problems(weak).toString());
  }

  private static List<ConfigProblem> problems(Map<String, String> env) {
    Vertx vertx = Vertx.vertx();
    try {
      Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, Map.of()));
      throw new AssertionError("config was accepted");
    } catch (ConfigException e) {
      return e.problems();
    } finally {
      vertx.close().await();
    }
  }
}
