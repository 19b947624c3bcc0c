package dev.bulwark.attachments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.core.Failure;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The type sniffer and each type's structure check, fed in chunks of every size. */
class SnifferTest {
  private static final Set<String> ALL =
      Set.of("image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf");

  /** Sniffs, then streams {@code file} through the check in chunks of {@code chunk} bytes. */
  private static Buffer run(Buffer file, int chunk, boolean strip) {
    FileType type = Sniffer.sniff(file, ALL);
    StructureCheck check = StructureCheck.of(type, strip);
    Buffer out = Buffer.buffer();
    for (int i = 0; i < file.length(); i += chunk) {
      out.appendBuffer(check.accept(file.getBuffer(i, Math.min(file.length(), i + chunk))));
    }
    check.finish();
    return out;
  }

  private static void refused(Buffer file) {
    for (int chunk : new int[] {1, 7, 4096}) {
      Failure f = assertThrows(Failure.class, () -> run(file, chunk, true), "chunk " + chunk);
      assertEquals("unsupported_file_type", f.code());
    }
  }

  @Test
  void eachTypeIsKnownByItsBytes() {
    assertEquals(FileType.JPEG, Sniffer.typeOf(SampleFiles.jpeg()));
    assertEquals(FileType.PNG, Sniffer.typeOf(SampleFiles.png()));
    assertEquals(FileType.WEBP, Sniffer.typeOf(SampleFiles.webp()));
    assertEquals(FileType.HEIC, Sniffer.typeOf(SampleFiles.heic()));
    assertEquals(FileType.PDF, Sniffer.typeOf(SampleFiles.pdf()));
    assertEquals(null, Sniffer.typeOf(Buffer.buffer("MZ\u0090\0 this program cannot be run")));
    assertEquals(null, Sniffer.typeOf(Buffer.buffer("<svg xmlns='http://www.w3.org/2000/svg'/>")));
  }

  @Test
  void wellFormedFilesPassWhole() {
    for (Buffer f :
        new Buffer[] {
          SampleFiles.png(), SampleFiles.webp(), SampleFiles.heic(), SampleFiles.pdf()
        }) {
      for (int chunk : new int[] {1, 3, 4096}) {
        assertArrayEquals(f.getBytes(), run(f, chunk, true).getBytes());
      }
    }
    Buffer jpeg = SampleFiles.jpeg();
    assertArrayEquals(jpeg.getBytes(), run(jpeg, 5, false).getBytes(), "metadata kept");
  }

  @Test
  void jpegMetadataIsStrippedInAnyChunking() {
    Buffer expected = run(SampleFiles.jpeg(), 4096, true);
    String text = expected.toString(StandardCharsets.ISO_8859_1);
    assertFalse(text.contains(SampleFiles.GPS));
    assertFalse(text.contains("taken at home"));
    assertTrue(text.contains("JFIF"));
    for (int chunk = 1; chunk < 40; chunk++) {
      assertArrayEquals(expected.getBytes(), run(SampleFiles.jpeg(), chunk, true).getBytes());
    }
  }

  @Test
  void polyglotsAndTruncatedFilesAreRefused() {
    refused(SampleFiles.jpeg().appendString("<html><script>alert(1)</script></html>"));
    refused(SampleFiles.jpeg().appendBuffer(SampleFiles.zipTrailer()));
    refused(SampleFiles.png().appendBuffer(SampleFiles.zipTrailer()));
    refused(SampleFiles.png().appendString("trailing"));
    refused(SampleFiles.webp().appendString("x"));
    refused(SampleFiles.heic().appendString("xyz"));
    refused(SampleFiles.pdf().appendBuffer(Buffer.buffer(new byte[2048])));
    refused(SampleFiles.jpeg().getBuffer(0, 100));
    refused(
        Buffer.buffer()
            .appendBytes(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff})
            .appendString("<html><body>not an image</body></html>"));
    Failure f =
        assertThrows(
            Failure.class, () -> Sniffer.sniff(Buffer.buffer("<svg onload=alert(1)>"), ALL));
    assertEquals("unsupported_file_type", f.code());
  }

  @Test
  void aDeclaredTypeCanOnlyRefuse() {
    assertTrue(Sniffer.agrees(null, FileType.PDF));
    assertTrue(Sniffer.agrees("application/octet-stream", FileType.PDF));
    assertTrue(Sniffer.agrees("image/jpg", FileType.JPEG));
    assertFalse(Sniffer.agrees("image/png", FileType.PDF));
  }
}
