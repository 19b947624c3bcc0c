package dev.bulwark.attachments;

import dev.bulwark.core.Failure;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Decides a file's type from its first bytes (never from the client's Content-Type or filename) and
 * refuses files that are also something a browser would run: markup in the first KiB. What the
 * first bytes cannot show (a ZIP archive appended, bytes after the image's end) is checked by the
 * type's {@link StructureCheck} as the rest streams past.
 */
final class Sniffer {
  /** Bytes read before deciding (fewer only when the whole file is shorter). */
  static final int HEAD = 1024;

  private static final String[] MARKUP = {
    "<html", "<script", "<svg", "<!doctype", "<body", "<iframe", "<?xml-stylesheet"
  };
  private static final Set<String> HEIC_BRANDS = Set.of("heic", "heix", "mif1", "msf1");

  private Sniffer() {}

  /** The type of a file starting with {@code head}; a 415 failure if none (or a polyglot). */
  static FileType sniff(Buffer head, Set<String> allowed) {
    FileType type = typeOf(head);
    if (type == null || !allowed.contains(type.mimeType())) {
      throw unsupported("The file's content is not one of the allowed types.");
    }
    String text =
        head.getString(0, Math.min(HEAD, head.length()), StandardCharsets.ISO_8859_1.name())
            .toLowerCase(Locale.ROOT);
    for (String m : MARKUP) {
      if (text.contains(m)) {
        throw unsupported("The file carries markup a browser could run.");
      }
    }
    return type;
  }

  static FileType typeOf(Buffer b) {
    int n = b.length();
    if (n >= 3 && u(b, 0) == 0xff && u(b, 1) == 0xd8 && u(b, 2) == 0xff) {
      return FileType.JPEG;
    }
    if (n >= 33
        && startsWith(b, 0, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
        && b.getInt(8) == 13
        && ascii(b, 12, 4).equals("IHDR")) {
      return FileType.PNG;
    }
    if (n >= 16 && ascii(b, 0, 4).equals("RIFF") && ascii(b, 8, 4).equals("WEBP")) {
      return FileType.WEBP;
    }
    if (n >= 16
        && ascii(b, 4, 4).equals("ftyp")
        && b.getInt(0) >= 16
        && HEIC_BRANDS.contains(ascii(b, 8, 4))) {
      return FileType.HEIC;
    }
    if (n >= 5 && ascii(b, 0, 5).equals("%PDF-")) {
      return FileType.PDF;
    }
    return null;
  }

  /**
   * Whether a part's declared type allows the sniffed one: none, a generic one, or the same (the
   * declared type never decides; it can only make a mismatch a refusal).
   */
  static boolean agrees(String declared, FileType sniffed) {
    if (declared == null) {
      return true;
    }
    String d = declared.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return d.isEmpty()
        || d.equals("application/octet-stream")
        || d.equals(sniffed.mimeType())
        || (sniffed == FileType.JPEG && (d.equals("image/jpg") || d.equals("image/pjpeg")))
        || (sniffed == FileType.HEIC && d.equals("image/heif"));
  }

  static Failure unsupported(String detail) {
    return Failure.of(Failure.Kind.UNSUPPORTED_MEDIA_TYPE, "unsupported_file_type", detail);
  }

  private static int u(Buffer b, int at) {
    return b.getByte(at) & 0xff;
  }

  private static boolean startsWith(Buffer b, int at, byte[] prefix) {
    for (int i = 0; i < prefix.length; i++) {
      if (b.getByte(at + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static String ascii(Buffer b, int at, int len) {
    return b.getString(at, at + len, StandardCharsets.ISO_8859_1.name());
  }
}
