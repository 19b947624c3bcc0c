package dev.bulwark.attachments;

import io.vertx.core.buffer.Buffer;

/**
 * A JPEG's segments, followed as they stream: SOI, marker segments, entropy-coded scans, EOI, and
 * nothing after it. Unless metadata is kept, APP1 (Exif, with its GPS position, and XMP), APP3 to
 * APP15 (IPTC, maker notes) and comments are left out of what is stored; APP0 (JFIF) and APP2 (ICC
 * colour profiles) stay. Orientation lives in Exif, so a stripped photo shows as the sensor saw it.
 */
final class JpegCheck implements StructureCheck {
  private enum State {
    SOI_FF,
    SOI_D8,
    MARKER_FF,
    MARKER,
    LENGTH_HI,
    LENGTH_LO,
    PAYLOAD,
    ENTROPY,
    ENTROPY_FF,
    END
  }

  private final boolean strip;
  private State state = State.SOI_FF;
  private int marker;
  private int lengthHi;
  private int remaining;
  private boolean keep = true;
  private boolean inScan;

  JpegCheck(boolean stripMetadata) {
    this.strip = stripMetadata;
  }

  @Override
  public Buffer accept(Buffer in) {
    int n = in.length();
    Buffer out = Buffer.buffer(n);
    int i = 0;
    while (i < n) {
      switch (state) {
        case PAYLOAD -> {
          int take = Math.min(remaining, n - i);
          if (keep) {
            out.appendBuffer(in, i, take);
          }
          i += take;
          remaining -= take;
          if (remaining == 0) {
            state = inScan ? State.ENTROPY : State.MARKER_FF;
          }
        }
        case ENTROPY -> {
          int j = i;
          while (j < n && in.getByte(j) != (byte) 0xff) {
            j++;
          }
          out.appendBuffer(in, i, j - i);
          if (j < n) {
            state = State.ENTROPY_FF;
            j++;
          }
          i = j;
        }
        default -> step(in.getByte(i++) & 0xff, out);
      }
    }
    return out;
  }

  private void step(int b, Buffer out) {
    switch (state) {
      case SOI_FF -> expect(b == 0xff, State.SOI_D8);
      case SOI_D8 -> {
        expect(b == 0xd8, State.MARKER_FF);
        out.appendByte((byte) 0xff).appendByte((byte) 0xd8);
      }
      case MARKER_FF -> expect(b == 0xff, State.MARKER);
      case MARKER -> {
        if (b != 0xff) { // 0xff: fill bytes before a marker
          marker(b, out);
        }
      }
      case ENTROPY_FF -> {
        if (b == 0x00 || (b >= 0xd0 && b <= 0xd7)) {
          out.appendByte((byte) 0xff).appendByte((byte) b);
          state = State.ENTROPY;
        } else if (b != 0xff) {
          inScan = false;
          marker(b, out);
        }
      }
      case LENGTH_HI -> {
        lengthHi = b;
        state = State.LENGTH_LO;
      }
      case LENGTH_LO -> {
        int length = (lengthHi << 8) | b;
        if (length < 2) {
          throw broken();
        }
        if (keep) {
          out.appendByte((byte) 0xff)
              .appendByte((byte) marker)
              .appendByte((byte) lengthHi)
              .appendByte((byte) b);
        }
        remaining = length - 2;
        inScan = marker == 0xda;
        state = remaining > 0 ? State.PAYLOAD : inScan ? State.ENTROPY : State.MARKER_FF;
      }
      case END -> throw Sniffer.unsupported("The file has data after the end of its image.");
      default -> throw new IllegalStateException(state.name());
    }
  }

  private void marker(int b, Buffer out) {
    if (b == 0xd9) {
      out.appendByte((byte) 0xff).appendByte((byte) 0xd9);
      state = State.END;
    } else if (b == 0x01 || (b >= 0xd0 && b <= 0xd7)) {
      out.appendByte((byte) 0xff).appendByte((byte) b);
      state = State.MARKER_FF;
    } else if (b == 0xd8 || b == 0x00) {
      throw broken();
    } else {
      marker = b;
      keep = !(strip && isMetadata(b));
      state = State.LENGTH_HI;
    }
  }

  /** APP1 (Exif, XMP), APP3..APP15, COM. */
  static boolean isMetadata(int marker) {
    return marker == 0xe1 || (marker >= 0xe3 && marker <= 0xef) || marker == 0xfe;
  }

  private void expect(boolean ok, State next) {
    if (!ok) {
      throw broken();
    }
    state = next;
  }

  @Override
  public void finish() {
    if (state != State.END) {
      throw Sniffer.unsupported("The file is not a complete JPEG image.");
    }
  }

  private static RuntimeException broken() {
    return Sniffer.unsupported("The file is not a well-formed JPEG image.");
  }
}
