package dev.bulwark.ratelimit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua text of {@code sliding-window.lua} and its SHA-1, the name Redis's script cache knows it
 * by.
 */
final class SlidingWindowScript {
  static final String TEXT = load();
  static final String SHA1 = sha1(TEXT);

  private SlidingWindowScript() {}

  private static String load() {
    try (InputStream in =
        SlidingWindowScript.class.getResourceAsStream("/ratelimit/sliding-window.lua")) {
      if (in == null) {
        throw new IllegalStateException(
            "ratelimit/sliding-window.lua is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
