package dev.bulwark.auth;

import dev.bulwark.http.FieldError;
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
 * What a new password must be: 8 to 72 bytes of UTF-8 (bcrypt's limit — longer is refused, never truncated) and
 * not one of the bundled common passwords.
 */
public final class PasswordPolicy {
  public static final int MIN_BYTES = 8;
  public static final int MAX_BYTES = 72;
  private static final Set<String> COMMON = load();

  private PasswordPolicy() {
  }

  /**
   * NFKC, as NIST SP 800-63B asks of verifiers: "é" typed as one code point or as e + combining accent, or digits
   * from a full-width keyboard, are the same password. Applied before the length rule and before bcrypt.
   */
  public static String normalize(String password) {
    return java.text.Normalizer.normalize(password, java.text.Normalizer.Form.NFKC);
  }

  /** The problem with a new password, or null when it is acceptable. */
  public static FieldError check(String field, String password) {
    int bytes = password.getBytes(StandardCharsets.UTF_8).length;
    if (bytes < MIN_BYTES) {
      return new FieldError(field, "password_too_short", "Passwords need at least " + MIN_BYTES + " bytes.");
    }
    if (bytes > MAX_BYTES) {
      return new FieldError(field, "password_too_long",
          "Passwords may be at most " + MAX_BYTES + " bytes in UTF-8 (bcrypt's limit); this one is " + bytes + ".");
    }
    if (COMMON.contains(password.toLowerCase(Locale.ROOT))) {
      return new FieldError(field, "password_too_common", "This password is too common; choose another.");
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
        if (word.getBytes(StandardCharsets.UTF_8).length >= MIN_BYTES) {
          words.add(word);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Set.copyOf(words);
  }
}
