package dev.bulwark.attachments;

import io.vertx.core.buffer.Buffer;

/** A PNG's chunks, followed as they stream: signature, chunks up to IEND, and nothing after. */
final class PngCheck implements StructureCheck {
  private static final int IEND = 0x49454e44;

  private long skip = 8; // the signature, checked by the sniffer
  private final byte[] header = new byte[8];
  private int headerFill = -1; // -1: skipping; 0..8: reading a chunk header
  private boolean ended;
  private boolean lastWasIend;

  @Override
  public Buffer accept(Buffer in) {
    int n = in.length();
    int i = 0;
    while (i < n) {
      if (ended) {
        throw Sniffer.unsupported("The file has data after the end of its image.");
      }
      if (headerFill < 0) {
        long take = Math.min(skip, n - i);
        i += (int) take;
        skip -= take;
        if (skip == 0) {
          if (lastWasIend) {
            ended = true;
          } else {
            headerFill = 0;
          }
        }
      } else {
        header[headerFill++] = in.getByte(i++);
        if (headerFill == 8) {
          long length =
              ((header[0] & 0xffL) << 24)
                  | ((header[1] & 0xff) << 16)
                  | ((header[2] & 0xff) << 8)
                  | (header[3] & 0xff);
          int type =
              ((header[4] & 0xff) << 24)
                  | ((header[5] & 0xff) << 16)
                  | ((header[6] & 0xff) << 8)
                  | (header[7] & 0xff);
          if (length > 0x7fffffffL) {
            throw Sniffer.unsupported("The file is not a well-formed PNG image.");
          }
          lastWasIend = type == IEND;
          skip = length + 4; // data and CRC
          headerFill = -1;
        }
      }
    }
    return in;
  }

  @Override
  public void finish() {
    if (!ended && !(lastWasIend && skip == 0)) {
      throw Sniffer.unsupported("The file is not a complete PNG image.");
    }
  }
}
