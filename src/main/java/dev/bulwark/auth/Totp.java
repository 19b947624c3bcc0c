package dev.bulwark.auth;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238): HMAC-SHA1 over the 30-second time step, dynamically
 * truncated (RFC 4226 §5.3) to six digits. Pure arithmetic: which step a code is accepted for, and
 * whether it was used before, is the caller's decision.
 */
public final class Totp {
  public static final int DIGITS = 6;
  public static final long PERIOD_SECONDS = 30;
  public static final int SECRET_BYTES = 20; // 160 bits, the HMAC-SHA1 block's natural key size
  private static final int[] POWERS = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000
  };
  private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  private Totp() {}

  public static long step(Instant at) {
    return Math.floorDiv(at.getEpochSecond(), PERIOD_SECONDS);
  }

  public static byte[] newSecret(SecureRandom random) {
    byte[] secret = new byte[SECRET_BYTES];
    random.nextBytes(secret);
    return secret;
  }

  /** The code of {@code step}, {@code digits} long, with {@code algorithm} (HmacSHA1 in use). */
  static String code(byte[] secret, long step, int digits, String algorithm) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(secret, algorithm));
      byte[] h = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
      int offset = h[h.length - 1] & 0x0f;
      int binary =
          ((h[offset] & 0x7f) << 24)
              | ((h[offset + 1] & 0xff) << 16)
              | ((h[offset + 2] & 0xff) << 8)
              | (h[offset + 3] & 0xff);
      String digitsText = Integer.toString(binary % POWERS[digits]);
      return "0".repeat(digits - digitsText.length()) + digitsText;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is not available", e);
    }
  }

  public static String code(byte[] secret, long step) {
    return code(secret, step, DIGITS, "HmacSHA1");
  }

  /**
   * The newest step within {@code window} steps of {@code now} whose code is {@code code}, or -1.
   * Every step of the window is computed and compared in constant time, so timing tells nothing
   * about which step (if any) matched.
   */
  public static long match(byte[] secret, String code, long now, int window) {
    byte[] presented = code.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    long found = -1;
    for (long step = now - window; step <= now + window; step++) {
      byte[] expected = code(secret, step).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      if (MessageDigest.isEqual(expected, presented)) {
        found = step;
      }
    }
    return found;
  }

  /** Exactly {@link #DIGITS} ASCII digits. */
  public static boolean wellFormed(String code) {
    if (code == null || code.length() != DIGITS) {
      return false;
    }
    for (int i = 0; i < code.length(); i++) {
      if (code.charAt(i) < '0' || code.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** RFC 4648 base32 without padding: how authenticator apps take a secret. */
  public static String base32(byte[] bytes) {
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(BASE32[(buffer >> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(BASE32[(buffer << (5 - bits)) & 31]);
    }
    return out.toString();
  }
}
