package dev.bulwark.attachments;

import io.vertx.core.buffer.Buffer;

/**
 * Follows one file's structure as it streams past, so that what is stored is exactly one file of
 * its type: nothing appended after its end (a ZIP archive or a page behind an image is a polyglot)
 * and nothing cut short. A check may also leave bytes out (a JPEG's metadata segments).
 */
interface StructureCheck {
  /** Takes the next bytes; returns those to store. Throws a 415 failure on a broken structure. */
  Buffer accept(Buffer in);

  /** The file ended: throws a 415 failure unless it ended where its structure says. */
  void finish();

  static StructureCheck of(FileType type, boolean stripMetadata) {
    StructureCheck check =
        switch (type) {
          case JPEG -> new JpegCheck(stripMetadata);
          case PNG -> new PngCheck();
          case WEBP -> new RiffCheck();
          case HEIC -> new BoxCheck();
          case PDF -> new PdfCheck();
        };
    return new ZipTrailerCheck(check);
  }
}
