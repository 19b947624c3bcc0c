package dev.bulwark.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Recovery codes: {@link #COUNT} per set, each 16 base32 characters (80 random bits), shown as four
 * groups ({@code ABCD-EFGH-IJKL-MNOP}) and stored only as SHA-256. A fast hash, not bcrypt, on
 * purpose: bcrypt protects low-entropy passwords against guessing, but 80 random bits cannot be
 * guessed from a hash whatever its speed, and a fast hash lets the lookup be one indexed UPDATE
 * (which is also what makes a code single-use under concurrency).
 */
public final class RecoveryCodes {
  public static final int COUNT = 10;
  private static final int CHARS = 16;
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private RecoveryCodes() {}

  public static List<String> generate(SecureRandom random) {
    List<String> codes = new ArrayList<>(COUNT);
    for (int i = 0; i < COUNT; i++) {
      StringBuilder code = new StringBuilder(CHARS + 3);
      for (int c = 0; c < CHARS; c++) {
        if (c > 0 && c % 4 == 0) {
          code.append('-');
        }
        code.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      codes.add(code.toString());
    }
    return codes;
  }

  /**
   * The code as stored: upper case, without dashes or spaces; null when it cannot be a recovery
   * code.
   */
  public static String normalize(String typed) {
    if (typed == null || typed.length() > 40) {
      return null;
    }
    StringBuilder out = new StringBuilder(CHARS);
    for (char ch : typed.toUpperCase(Locale.ROOT).toCharArray()) {
      if (ch == '-' || ch == ' ') {
        continue;
      }
      if (ALPHABET.indexOf(ch) < 0) {
        return null;
      }
      out.append(ch);
    }
    return out.length() == CHARS ? out.toString() : null;
  }

  public static byte[] hash(String normalized) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(normalized.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
