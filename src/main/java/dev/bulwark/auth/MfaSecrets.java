package dev.bulwark.auth;

import dev.bulwark.config.MfaConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * TOTP secrets at rest: AES-256-GCM under the configured key ({@code mfa.encryptionKey}, named by
 * {@code mfa.keyId}), a fresh 96-bit nonce per seal, and the owning user and factor as associated
 * data, so a sealed secret copied to another row does not open. Secrets sealed under a retired key
 * ({@code mfa.retiredKeys}) still open, so keys rotate without re-enrolling anyone.
 */
public final class MfaSecrets {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final String currentId;
  private final Map<String, SecretKeySpec> keys = new HashMap<>();
  private final SecureRandom random = new SecureRandom();

  public MfaSecrets(MfaConfig config) {
    this.currentId = config.keyId();
    keys.put(currentId, key(config.encryptionKey()));
    config.retiredKeys().forEach((id, secret) -> keys.putIfAbsent(id, key(secret)));
  }

  /** A sealed secret and the id of the key that sealed it. */
  public record Sealed(String keyId, byte[] bytes) {}

  /** The 256-bit AES key of a configured secret (any length of at least 32 bytes). */
  private static SecretKeySpec key(String secret) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return new SecretKeySpec(digest, "AES");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  public Sealed seal(byte[] secret, UUID userId, UUID factorId) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associated(userId, factorId));
      byte[] sealed = cipher.doFinal(secret);
      return new Sealed(
          currentId,
          ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The secret, or null when its key is not configured or the bytes do not authenticate. */
  public byte[] open(String keyId, byte[] sealed, UUID userId, UUID factorId) {
    SecretKeySpec key = keys.get(keyId);
    if (key == null || sealed.length <= NONCE_BYTES) {
      return null;
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
      cipher.updateAAD(associated(userId, factorId));
      return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static byte[] associated(UUID userId, UUID factorId) {
    return ByteBuffer.allocate(32)
        .putLong(userId.getMostSignificantBits())
        .putLong(userId.getLeastSignificantBits())
        .putLong(factorId.getMostSignificantBits())
        .putLong(factorId.getLeastSignificantBits())
        .array();
  }
}
