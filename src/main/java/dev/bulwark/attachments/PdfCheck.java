package dev.bulwark.attachments;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * A PDF: its last KiB holds the {@code %%EOF} marker (incremental updates append, and end with one
 * too), so a page or archive is not hiding behind it.
 */
final class PdfCheck implements StructureCheck {
  private static final int TAIL = 1024;
  private Buffer tail = Buffer.buffer();

  @Override
  public Buffer accept(Buffer in) {
    tail.appendBuffer(in);
    if (tail.length() > 2 * TAIL) {
      tail = tail.getBuffer(tail.length() - TAIL, tail.length());
    }
    return in;
  }

  @Override
  public void finish() {
    int from = Math.max(0, tail.length() - TAIL);
    String end = tail.getString(from, tail.length(), StandardCharsets.ISO_8859_1.name());
    if (!end.contains("%%EOF")) {
      throw Sniffer.unsupported("The file is not a complete PDF document.");
    }
  }
}
