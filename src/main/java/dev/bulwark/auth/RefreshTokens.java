package dev.bulwark.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque refresh tokens: 256 bits from a CSPRNG, base64url, stored only as SHA-256. A rotated token
 * keeps its child sealed (AES-256-GCM, key derived from the signing secret) so that presenting it
 * again within the grace window — a lost response or a parallel refresh — is answered with the same
 * child instead of forking the family.
 */
public final class RefreshTokens {
  private static final int TOKEN_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final SecureRandom random = new SecureRandom();
  private final SecretKeySpec sealKey;

  public RefreshTokens(String signingSecret) {
    this.sealKey =
        new SecretKeySpec(
            hmac(
                signingSecret.getBytes(StandardCharsets.UTF_8),
                "bulwark refresh-token seal v1".getBytes(StandardCharsets.UTF_8)),
            "AES");
  }

  public String generate() {
    byte[] b = new byte[TOKEN_BYTES];
    random.nextBytes(b);
    return B64.encodeToString(b);
  }

  /** What the database stores and looks tokens up by. */
  public static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Plausible token syntax, checked before any lookup. */
  public static boolean looksValid(String token) {
    return token.length() == 43
        && token
            .chars()
            .allMatch(
                c ->
                    (c >= 'a' && c <= 'z')
                        || (c >= 'A' && c <= 'Z')
                        || (c >= '0' && c <= '9')
                        || c == '-'
                        || c == '_');
  }

  public byte[] seal(String childToken, byte[] parentHash) {
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      random.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, sealKey, new GCMParameterSpec(128, nonce));
      cipher.updateAAD(parentHash);
      byte[] sealed = cipher.doFinal(childToken.getBytes(StandardCharsets.US_ASCII));
      return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The sealed child, or null when it cannot be opened (another key, tampered). */
  public String unseal(byte[] sealed, byte[] parentHash) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, sealKey, new GCMParameterSpec(128, sealed, 0, NONCE_BYTES));
      cipher.updateAAD(parentHash);
      return new String(
          cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES),
          StandardCharsets.US_ASCII);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
