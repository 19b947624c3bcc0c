package dev.bulwark.ceiling;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.UUID;

/**
 * JSON written byte by byte into a growable array (one per verticle for responses, reset per request), then copied
 * once into the response {@link Buffer}: no tree, no intermediate strings for ids, numbers or timestamps. Timestamps
 * in Bulwark's wire form, UTC with microseconds: {@code 2026-01-31T09:00:00.123456Z}.
 */
final class JsonBytes {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};

  private byte[] buf;
  private int len;

  JsonBytes(int capacity) {
    buf = new byte[capacity];
  }

  JsonBytes reset() {
    len = 0;
    return this;
  }

  private void room(int n) {
    if (len + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  JsonBytes raw(byte[] b) {
    room(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
    return this;
  }

  JsonBytes raw(char c) {
    room(1);
    buf[len++] = (byte) c;
    return this;
  }

  JsonBytes nul() {
    return raw(NULL);
  }

  /** A JSON string (escaped, UTF-8), or null. */
  JsonBytes string(String s) {
    if (s == null) {
      return nul();
    }
    int n = s.length();
    room(n * 6 + 2); // the worst case: every char a six-byte escape
    byte[] b = buf;
    int at = len;
    b[at++] = '"';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          b[at++] = (byte) c;
        } else if (c >= 0x20) {
          b[at++] = '\\';
          b[at++] = (byte) c;
        } else {
          b[at++] = '\\';
          b[at++] = 'u';
          b[at++] = '0';
          b[at++] = '0';
          b[at++] = HEX[c >> 4];
          b[at++] = HEX[c & 0xf];
        }
      } else if (c < 0x800) {
        b[at++] = (byte) (0xc0 | c >> 6);
        b[at++] = (byte) (0x80 | c & 0x3f);
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        b[at++] = (byte) (0xf0 | cp >> 18);
        b[at++] = (byte) (0x80 | cp >> 12 & 0x3f);
        b[at++] = (byte) (0x80 | cp >> 6 & 0x3f);
        b[at++] = (byte) (0x80 | cp & 0x3f);
      } else if (Character.isSurrogate(c)) {
        b[at++] = '?';
      } else {
        b[at++] = (byte) (0xe0 | c >> 12);
        b[at++] = (byte) (0x80 | c >> 6 & 0x3f);
        b[at++] = (byte) (0x80 | c & 0x3f);
      }
    }
    b[at++] = '"';
    len = at;
    return this;
  }

  /** JSON text as it is (a stored JSON value), in UTF-8. */
  JsonBytes utf8(String json) {
    return raw(json.getBytes(StandardCharsets.UTF_8));
  }

  JsonBytes decimal(double v) {
    return raw(Double.toString(v).getBytes(StandardCharsets.US_ASCII));
  }

  JsonBytes number(long v) {
    return raw(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
  }

  JsonBytes uuid(UUID id) {
    room(38);
    long hi = id.getMostSignificantBits();
    long lo = id.getLeastSignificantBits();
    buf[len++] = '"';
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) {
        buf[len++] = '-';
      }
      int v = (int) ((i < 8 ? hi >>> (56 - 8 * i) : lo >>> (56 - 8 * (i - 8))) & 0xff);
      buf[len++] = HEX[v >>> 4];
      buf[len++] = HEX[v & 0xf];
    }
    buf[len++] = '"';
    return this;
  }

  JsonBytes timestamp(OffsetDateTime t) {
    if (t == null) {
      return nul();
    }
    OffsetDateTime utc = t.getOffset().equals(ZoneOffset.UTC) ? t : t.withOffsetSameInstant(ZoneOffset.UTC);
    int year = utc.getYear();
    if (year < 0 || year > 9999) {
      return string(utc.toInstant().toString());
    }
    room(29);
    buf[len++] = '"';
    digits(year, 4);
    buf[len++] = '-';
    digits(utc.getMonthValue(), 2);
    buf[len++] = '-';
    digits(utc.getDayOfMonth(), 2);
    buf[len++] = 'T';
    digits(utc.getHour(), 2);
    buf[len++] = ':';
    digits(utc.getMinute(), 2);
    buf[len++] = ':';
    digits(utc.getSecond(), 2);
    buf[len++] = '.';
    digits(utc.getNano() / 1000, 6);
    buf[len++] = 'Z';
    buf[len++] = '"';
    return this;
  }

  private void digits(int v, int width) {
    for (int i = len + width - 1; i >= len; i--) {
      buf[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    len += width;
  }

  byte[] toArray() {
    return Arrays.copyOf(buf, len);
  }

  Buffer toBuffer() {
    return Buffer.buffer(len).appendBytes(buf, 0, len);
  }
}
