package dev.bulwark.attachments;

import io.vertx.core.buffer.Buffer;

/**
 * An ISO base media file (HEIC): top-level boxes, each as long as its header says, up to the end of
 * the file and not beyond.
 */
final class BoxCheck implements StructureCheck {
  private final byte[] header = new byte[16];
  private int headerFill;
  private int headerNeed = 8;
  private long skip;
  private boolean toEnd;

  @Override
  public Buffer accept(Buffer in) {
    int n = in.length();
    int i = 0;
    while (i < n && !toEnd) {
      if (skip > 0) {
        long take = Math.min(skip, n - i);
        i += (int) take;
        skip -= take;
        continue;
      }
      header[headerFill++] = in.getByte(i++);
      if (headerFill == headerNeed) {
        long size = readUnsigned(0, 4);
        if (size == 1 && headerNeed == 8) {
          headerNeed = 16; // a 64-bit size follows the type
          continue;
        }
        if (size == 1) {
          size = readUnsigned(8, 8);
        }
        if (size == 0) {
          toEnd = true; // the last box runs to the end of the file
        } else if (size < headerNeed) {
          throw Sniffer.unsupported("The file is not a well-formed HEIC image.");
        } else {
          skip = size - headerNeed;
        }
        headerFill = 0;
        headerNeed = 8;
      }
    }
    return in;
  }

  private long readUnsigned(int at, int bytes) {
    long v = 0;
    for (int k = 0; k < bytes; k++) {
      v = (v << 8) | (header[at + k] & 0xff);
    }
    if (v < 0) {
      throw Sniffer.unsupported("The file is not a well-formed HEIC image.");
    }
    return v;
  }

  @Override
  public void finish() {
    if (!toEnd && (skip != 0 || headerFill != 0)) {
      throw Sniffer.unsupported("The file is not a complete HEIC image.");
    }
  }
}
