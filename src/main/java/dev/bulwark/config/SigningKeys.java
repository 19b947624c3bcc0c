package dev.bulwark.config;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * PEM keys for RS256 / ES256 access tokens: read from a file path or given inline, parsed and
 * checked at start-up so a wrong key is a configuration problem, not a failed login later.
 */
public final class SigningKeys {
  private SigningKeys() {}

  /**
   * A verification key: its {@code kid}, the PEM vertx-auth-jwt reads, and the parsed key for the
   * JWKS document.
   */
  public record VerificationKey(String kid, String pem, PublicKey key) {}

  /**
   * The PEM text of {@code value}: the value itself when it is PEM, else the contents of the file
   * it names.
   */
  static String pemText(String value) throws IOException {
    if (value.startsWith("-----BEGIN")) {
      return value;
    }
    return Files.readString(Path.of(value), StandardCharsets.US_ASCII);
  }

  static PrivateKey privateKey(String pem, String algorithm) throws GeneralSecurityException {
    return KeyFactory.getInstance(keyType(algorithm))
        .generatePrivate(new PKCS8EncodedKeySpec(der(pem, "PRIVATE KEY")));
  }

  static PublicKey publicKey(String pem, String algorithm) throws GeneralSecurityException {
    PublicKey key =
        KeyFactory.getInstance(keyType(algorithm))
            .generatePublic(new X509EncodedKeySpec(der(pem, "PUBLIC KEY")));
    if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) {
      throw new GeneralSecurityException(
          "an RSA key needs at least 2048 bits, this one has " + rsa.getModulus().bitLength());
    }
    if (key instanceof ECPublicKey ec
        && ec.getParams().getCurve().getField().getFieldSize() != 256) {
      throw new GeneralSecurityException("ES256 needs a P-256 key");
    }
    return key;
  }

  /** Whether the private key signs what the public key verifies. */
  static boolean isPair(PrivateKey privateKey, PublicKey publicKey, String algorithm)
      throws GeneralSecurityException {
    String name = algorithm.equals("RS256") ? "SHA256withRSA" : "SHA256withECDSA";
    byte[] probe = "bulwark key pair check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(name);
    signer.initSign(privateKey);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(name);
    verifier.initVerify(publicKey);
    verifier.update(probe);
    return verifier.verify(signature);
  }

  /** A key id derived from the public key (its SPKI digest), for keys configured without one. */
  static String derivedKid(PublicKey key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Unsigned big-endian bytes of {@code n}, left-padded to {@code length} when given (JWK's
   * encoding).
   */
  public static byte[] unsigned(BigInteger n, int length) {
    byte[] raw = n.toByteArray();
    int start = raw.length > 1 && raw[0] == 0 ? 1 : 0;
    int size = Math.max(raw.length - start, length);
    byte[] out = new byte[size];
    System.arraycopy(raw, start, out, size - (raw.length - start), raw.length - start);
    return out;
  }

  private static String keyType(String algorithm) {
    return algorithm.equals("RS256") ? "RSA" : "EC";
  }

  private static byte[] der(String pem, String label) throws GeneralSecurityException {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new GeneralSecurityException(
          "expected a PEM block '"
              + begin
              + "'"
              + (label.equals("PRIVATE KEY") ? " (PKCS#8: openssl pkcs8 -topk8 -nocrypt)" : ""));
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException("the PEM block is not valid base64");
    }
  }
}
