package dev.bulwark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.JwtConfig;
import dev.bulwark.testing.TestUsers;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Token ids are drawn from the CSPRNG the minter was given, 128 bits each. */
class AccessTokenIdsTest {
  private final Vertx vertx = Vertx.vertx();
  private final JwtConfig config =
      new JwtConfig(
          "jti-test-secret-that-is-long-enough-0123456789",
          "HS256",
          "bulwark",
          "bulwark-api",
          Duration.ofMinutes(15),
          Duration.ofSeconds(5),
          null,
          null,
          List.of());

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private static SecureRandom seeded() throws NoSuchAlgorithmException {
    SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
    r.setSeed("a fixed seed, so the draws can be compared".getBytes(StandardCharsets.UTF_8));
    return r;
  }

  @Test
  void jtiIsTheNext128BitsOfTheSecureRandom() throws NoSuchAlgorithmException {
    AccessTokens tokens = new AccessTokens(vertx, config, seeded());
    SecureRandom same = seeded();
    for (int i = 0; i < 3; i++) {
      byte[] expected = new byte[16];
      same.nextBytes(expected);
      AccessTokens.Minted minted =
          tokens.mint(UUID.randomUUID(), UUID.randomUUID(), AccessTokens.nowSeconds());
      assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(expected), minted.jti());
      assertEquals(minted.jti(), TestUsers.claims(minted.token()).getString("jti"));
    }
  }

  @Test
  void theDefaultGeneratorGivesDistinctIds() {
    AccessTokens tokens = new AccessTokens(vertx, config);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      ids.add(tokens.mint(UUID.randomUUID(), UUID.randomUUID(), AccessTokens.nowSeconds()).jti());
    }
    assertEquals(1000, ids.size());
    assertTrue(
        ids.stream().allMatch(id -> id.length() == 22), "22 base64url characters = 128 bits");
  }
}
