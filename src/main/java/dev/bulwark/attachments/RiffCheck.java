package dev.bulwark.attachments;

import io.vertx.core.buffer.Buffer;

/** A WebP (RIFF) file: exactly as long as its RIFF header says, nothing after. */
final class RiffCheck implements StructureCheck {
  private final Buffer header = Buffer.buffer(8);
  private long total;
  private long declared = -1;

  @Override
  public Buffer accept(Buffer in) {
    if (declared < 0) {
      header.appendBuffer(in, 0, Math.min(in.length(), 8 - header.length()));
      if (header.length() == 8) {
        declared = header.getUnsignedIntLE(4) + 8;
      }
    }
    total += in.length();
    if (declared >= 0 && total > declared) {
      throw Sniffer.unsupported("The file has data after the end of its image.");
    }
    return in;
  }

  @Override
  public void finish() {
    if (total != declared) {
      throw Sniffer.unsupported("The file is not a complete WebP image.");
    }
  }
}
