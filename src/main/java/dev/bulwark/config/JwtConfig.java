package dev.bulwark.config;

import dev.bulwark.config.SigningKeys.VerificationKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Access tokens: signing algorithm and keys, and the claims verification pins. HS256 signs with the
 * server secret; RS256 / ES256 sign with a PEM private key under a {@code kid} and verify with its
 * public key plus any previous public keys still accepted during a rotation (all published at
 * {@code /.well-known/jwks.json}). The secret is required in every mode: it also keys cursor
 * signatures and refresh-token sealing.
 */
public record JwtConfig(
    String secret,
    String algorithm,
    String issuer,
    String audience,
    Duration accessTokenTtl,
    Duration leeway,
    String keyId,
    String signingKeyPem,
    List<VerificationKey> verificationKeys) {

  public static final int MIN_SECRET_BYTES = 32;
  static final Set<String> ALGORITHMS = Set.of("HS256", "RS256", "ES256");

  /** The same keys and claims, minting access tokens that live {@code ttl}. */
  public JwtConfig withAccessTokenTtl(Duration ttl) {
    return new JwtConfig(
        secret, algorithm, issuer, audience, ttl, leeway, keyId, signingKeyPem, verificationKeys);
  }

  public boolean isAsymmetric() {
    return !algorithm.equals("HS256");
  }

  static JwtConfig read(ConfigReader r) {
    String secret = r.optionalString("jwt.secret");
    if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      r.problem("jwt.secret", "must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    String algorithm = r.string("jwt.algorithm", "HS256");
    if (!ALGORITHMS.contains(algorithm)) {
      r.problem(
          "jwt.algorithm", "'" + algorithm + "' is not supported (supported: HS256, RS256, ES256)");
      algorithm = "HS256";
    }
    String keyId = null;
    String signingPem = null;
    List<VerificationKey> verification = List.of();
    if (!algorithm.equals("HS256")) {
      String privateValue = r.optionalString("jwt.privateKey");
      String publicValue = r.optionalString("jwt.publicKey");
      if (privateValue == null) {
        r.problem(
            "jwt.privateKey",
            algorithm + " needs a PEM private key (PKCS#8), inline or as a file path");
      }
      if (publicValue == null) {
        r.problem(
            "jwt.publicKey",
            algorithm + " needs the PEM public key of the signing key, inline or as a file path");
      }
      if (privateValue != null && publicValue != null) {
        List<VerificationKey> keys = new ArrayList<>();
        signingPem =
            signingKey(
                r, algorithm, privateValue, publicValue, r.optionalString("jwt.keyId"), keys);
        if (signingPem != null) {
          keyId = keys.get(0).kid();
          previousKeys(r, algorithm, keys);
          verification = List.copyOf(keys);
        }
      }
    }
    return new JwtConfig(
        secret,
        algorithm,
        r.string("jwt.issuer", "bulwark"),
        r.string("jwt.audience", "bulwark-api"),
        Duration.ofMinutes(r.intIn("jwt.accessTokenMinutes", 15, 1, 24 * 60)),
        r.duration("jwt.leeway", Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(5)),
        keyId,
        signingPem,
        verification);
  }

  private static String signingKey(
      ConfigReader r,
      String algorithm,
      String privateValue,
      String publicValue,
      String kid,
      List<VerificationKey> keys) {
    PrivateKey privateKey;
    String privatePem;
    try {
      privatePem = SigningKeys.pemText(privateValue);
      privateKey = SigningKeys.privateKey(privatePem, algorithm);
    } catch (IOException e) {
      r.problem("jwt.privateKey", "cannot read " + privateValue + ": " + e.getMessage());
      return null;
    } catch (GeneralSecurityException | RuntimeException e) {
      r.problem("jwt.privateKey", "not a usable " + algorithm + " private key: " + e.getMessage());
      return null;
    }
    VerificationKey current = verificationKey(r, "jwt.publicKey", algorithm, publicValue, kid);
    if (current == null) {
      return null;
    }
    try {
      if (!SigningKeys.isPair(privateKey, current.key(), algorithm)) {
        r.problem("jwt.publicKey", "is not the public key of jwt.privateKey");
        return null;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      r.problem("jwt.privateKey", "cannot sign with it: " + e.getMessage());
      return null;
    }
    keys.add(current);
    return privatePem;
  }

  /**
   * {@code jwt.previousPublicKeys}: "kid=PEM-or-path" (or just the path: kid derived) entries still
   * accepted.
   */
  private static void previousKeys(ConfigReader r, String algorithm, List<VerificationKey> keys) {
    Set<String> kids = new HashSet<>();
    kids.add(keys.get(0).kid());
    for (String entry : r.list("jwt.previousPublicKeys")) {
      int eq = entry.indexOf('=');
      boolean named = eq > 0 && !entry.startsWith("-----");
      VerificationKey key =
          verificationKey(
              r,
              "jwt.previousPublicKeys",
              algorithm,
              named ? entry.substring(eq + 1).trim() : entry,
              named ? entry.substring(0, eq).trim() : null);
      if (key != null && !kids.add(key.kid())) {
        r.problem("jwt.previousPublicKeys", "kid '" + key.kid() + "' is used by more than one key");
      } else if (key != null) {
        keys.add(key);
      }
    }
  }

  private static VerificationKey verificationKey(
      ConfigReader r, String key, String algorithm, String value, String kid) {
    try {
      String pem = SigningKeys.pemText(value);
      PublicKey publicKey = SigningKeys.publicKey(pem, algorithm);
      String id = kid == null || kid.isBlank() ? SigningKeys.derivedKid(publicKey) : kid;
      if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
        r.problem(key, "kid '" + id + "' must be 1-64 letters, digits, '.', '_' or '-'");
        return null;
      }
      return new VerificationKey(id, pem, publicKey);
    } catch (IOException e) {
      r.problem(key, "cannot read " + value + ": " + e.getMessage());
    } catch (GeneralSecurityException | RuntimeException e) {
      r.problem(key, "not a usable " + algorithm + " public key: " + e.getMessage());
    }
    return null;
  }
}
