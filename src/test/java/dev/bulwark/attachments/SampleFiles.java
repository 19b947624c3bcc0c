package dev.bulwark.attachments;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/** Small well-formed (and malformed) files of each type, built byte by byte. */
final class SampleFiles {
  static final String GPS = "GPSLatitude=52.5200N";

  private SampleFiles() {}

  /** A JPEG with JFIF, an Exif APP1 carrying a position, a comment, a table, a scan, EOI. */
  static Buffer jpeg() {
    Buffer b = Buffer.buffer();
    b.appendBytes(new byte[] {(byte) 0xff, (byte) 0xd8});
    segment(b, 0xe0, "JFIF\0\1\1\0\0\1\0\1\0\0".getBytes(StandardCharsets.ISO_8859_1));
    segment(b, 0xe1, ("Exif\0\0" + GPS).getBytes(StandardCharsets.ISO_8859_1));
    segment(b, 0xfe, "taken at home".getBytes(StandardCharsets.ISO_8859_1));
    segment(b, 0xdb, new byte[65]);
    segment(b, 0xda, new byte[10]);
    byte[] scan = new byte[2000];
    for (int i = 0; i < scan.length; i++) {
      scan[i] = (byte) (i % 251);
    }
    for (int i = 0; i < scan.length; i++) {
      b.appendByte(scan[i]);
      if (scan[i] == (byte) 0xff) {
        b.appendByte((byte) 0); // byte stuffing
      }
    }
    b.appendBytes(new byte[] {(byte) 0xff, (byte) 0xd0}); // a restart marker inside the scan
    b.appendBytes(new byte[] {1, 2, 3});
    b.appendBytes(new byte[] {(byte) 0xff, (byte) 0xd9});
    return b;
  }

  private static void segment(Buffer b, int marker, byte[] payload) {
    b.appendByte((byte) 0xff).appendByte((byte) marker).appendShort((short) (payload.length + 2));
    b.appendBytes(payload);
  }

  static Buffer png() {
    Buffer b = Buffer.buffer();
    b.appendBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    b.appendInt(13).appendString("IHDR").appendBytes(new byte[13]).appendInt(0);
    b.appendInt(4).appendString("IDAT").appendBytes(new byte[] {1, 2, 3, 4}).appendInt(0);
    b.appendInt(0).appendString("IEND").appendInt(0);
    return b;
  }

  static Buffer webp() {
    Buffer body = Buffer.buffer().appendString("WEBP").appendString("VP8 ").appendIntLE(4);
    body.appendBytes(new byte[] {1, 2, 3, 4});
    return Buffer.buffer().appendString("RIFF").appendIntLE(body.length()).appendBuffer(body);
  }

  static Buffer heic() {
    Buffer b = Buffer.buffer();
    b.appendInt(24).appendString("ftypheic").appendInt(0).appendString("mif1heic");
    b.appendInt(16).appendString("mdat").appendBytes(new byte[8]);
    return b;
  }

  static Buffer pdf() {
    return Buffer.buffer("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n");
  }

  /** The bytes of a ZIP end-of-central-directory record (an empty archive). */
  static Buffer zipTrailer() {
    return Buffer.buffer().appendBytes(new byte[] {'P', 'K', 5, 6}).appendBytes(new byte[18]);
  }
}
