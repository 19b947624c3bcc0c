package dev.bulwark.auth;

import dev.bulwark.core.FieldError;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a new password must be: 8 to 256 characters (Unicode code points after NFKC — what a person
 * counts, not bytes of UTF-8) and not one of the bundled common passwords. There is no 72-byte
 * limit: passwords are HMAC-SHA-256'd before bcrypt (see {@link PasswordHashes}), so a long
 * passphrase in any script keeps every character.
 */
public final class PasswordPolicy {
  public static final int MIN_CHARS = 8;

  /** Far above any passphrase a person types; bounds the work one request can ask of the HMAC. */
  public static final int MAX_CHARS = 256;

  private static final Set<String> COMMON = load();

  private PasswordPolicy() {}

  /**
   * NFKC, as NIST SP 800-63B asks of verifiers: "é" typed as one code point or as e + combining
   * accent, or digits from a full-width keyboard, are the same password. Applied before the length
   * rule and before hashing.
   */
  public static String normalize(String password) {
    return java.text.Normalizer.normalize(password, java.text.Normalizer.Form.NFKC);
  }

  /**
   * Characters as a person counts them: code points, so an emoji or a CJK character is one, not two
   * or three.
   */
  static int length(String password) {
    return password.codePointCount(0, password.length());
  }

  /** The problem with a new (already normalized) password, or null when it is acceptable. */
  public static FieldError check(String field, String password) {
    int chars = length(password);
    if (chars < MIN_CHARS) {
      return new FieldError(
          field, "password_too_short", "Passwords need at least " + MIN_CHARS + " characters.");
    }
    if (chars > MAX_CHARS) {
      return new FieldError(
          field,
          "password_too_long",
          "Passwords may be at most " + MAX_CHARS + " characters; this one has " + chars + ".");
    }
    if (COMMON.contains(password.toLowerCase(Locale.ROOT))) {
      return new FieldError(
          field, "password_too_common", "This password is too common; choose another.");
    }
    return null;
  }

  private static Set<String> load() {
    Set<String> words = new HashSet<>();
    try (InputStream in = PasswordPolicy.class.getResourceAsStream("/auth/common-passwords.txt")) {
      if (in == null) {
        throw new IllegalStateException("auth/common-passwords.txt is missing from the classpath");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String word = line.trim().toLowerCase(Locale.ROOT);
        if (length(word) >= MIN_CHARS) {
          words.add(word);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Set.copyOf(words);
  }
}
