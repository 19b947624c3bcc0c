package dev.bulwark.attachments;

import io.vertx.core.buffer.Buffer;

/**
 * Refuses a file that is also a ZIP archive (a JAR, an Office document): ZIP readers look for the
 * end-of-central-directory record in the last 65,557 bytes, wherever the file's own format ends.
 */
final class ZipTrailerCheck implements StructureCheck {
  private static final int EOCD = 0x504b0506; // "PK\5\6"
  private static final long EOCD_REACH = 22 + 65_535;

  private final StructureCheck inner;
  private int window;
  private long seen;
  private long lastEocd = -1;

  ZipTrailerCheck(StructureCheck inner) {
    this.inner = inner;
  }

  @Override
  public Buffer accept(Buffer in) {
    int n = in.length();
    int w = window;
    for (int i = 0; i < n; i++) {
      w = (w << 8) | (in.getByte(i) & 0xff);
      if (w == EOCD) {
        lastEocd = seen + i - 3;
      }
    }
    window = w;
    seen += n;
    return inner.accept(in);
  }

  @Override
  public void finish() {
    if (lastEocd >= 0 && seen - lastEocd <= EOCD_REACH) {
      throw Sniffer.unsupported("The file is also a ZIP archive.");
    }
    inner.finish();
  }
}
