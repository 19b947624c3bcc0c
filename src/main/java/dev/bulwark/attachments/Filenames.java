package dev.bulwark.attachments;

import dev.bulwark.core.Failure;
import java.text.Normalizer;

/**
 * The client's filename, kept as metadata only (never part of a storage path): NFC, 1 to 255
 * characters, no path (separators, {@code ..}), no control or bidirectional-override characters.
 */
final class Filenames {
  static final int MAX = 255;

  private Filenames() {}

  static String check(String given) {
    if (given == null || given.isBlank()) {
      throw invalid("The file part must carry a filename.");
    }
    String name = Normalizer.normalize(given.strip(), Normalizer.Form.NFC);
    if (name.codePointCount(0, name.length()) > MAX) {
      throw invalid("The filename is longer than " + MAX + " characters.");
    }
    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0 || name.contains("..")) {
      throw invalid("The filename must be a name, not a path.");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20
          || (c >= 0x7f && c <= 0x9f)
          || (c >= 0x202a && c <= 0x202e)
          || (c >= 0x2066 && c <= 0x2069)) {
        throw invalid("The filename contains control characters.");
      }
    }
    return name;
  }

  private static Failure invalid(String detail) {
    return Failure.invalid("invalid_filename", detail);
  }
}
