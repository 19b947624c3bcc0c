package dev.bulwark.tasks;

import dev.bulwark.core.Timestamps;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Tasks as JSON, written byte by byte into one growable array per event loop and copied once into
 * the response {@link Buffer}: no tree, no generator, field names and punctuation pre-encoded, ids
 * and timestamps written without intermediate strings. Shapes (snake_case): task {@code
 * {"id","title","notes","status","priority","due_at","created_at","updated_at","version",
 * "attachments","location"}} (the attachments as stored, written as they are; the location {@code
 * {"lat","lon"}} or null), tombstone {@code {"id","deleted":true,"updated_at"}}, page {@code
 * {"items":[...],"next_cursor":...}}. Strings are escaped as JSON requires ({@code "}, {@code \},
 * control characters; {@code \b \t \n \f \r} in their short forms) and written as UTF-8.
 */
final class TaskJson {
  private static final byte[] ID = ascii("{\"id\":");
  private static final byte[] TITLE = ascii(",\"title\":");
  private static final byte[] NOTES = ascii(",\"notes\":");
  private static final byte[] STATUS = ascii(",\"status\":");
  private static final byte[] PRIORITY = ascii(",\"priority\":");
  private static final byte[] DUE_AT = ascii(",\"due_at\":");
  private static final byte[] CREATED_AT = ascii(",\"created_at\":");
  private static final byte[] UPDATED_AT = ascii(",\"updated_at\":");
  private static final byte[] VERSION = ascii(",\"version\":");
  private static final byte[] ATTACHMENTS = ascii(",\"attachments\":");
  private static final byte[] NO_ATTACHMENTS = ascii(",\"attachments\":[]");
  private static final byte[] LOCATION = ascii(",\"location\":{\"lat\":");
  private static final byte[] LON = ascii(",\"lon\":");
  private static final byte[] NO_LOCATION = ascii(",\"location\":null");
  private static final byte[] DELETED = ascii(",\"deleted\":true");
  private static final byte[] ITEMS = ascii("{\"items\":[");
  private static final byte[] NEXT_CURSOR = ascii("],\"next_cursor\":");
  private static final byte[] NULL = ascii("null");
  private static final byte[] HEX = ascii("0123456789abcdef");

  /** The array a response is written into grows to fit; beyond this it is not kept for the next. */
  private static final int KEEP_AT_MOST = 256 * 1024;

  private static final ThreadLocal<Out> OUT = ThreadLocal.withInitial(Out::new);

  private TaskJson() {}

  static Buffer task(Task t) {
    Out out = OUT.get().reset();
    out.task(t);
    return out.toBuffer();
  }

  static Buffer page(List<Task> items, String nextCursor) {
    Out out = OUT.get().reset();
    out.raw(ITEMS);
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.raw((byte) ',');
      }
      out.task(items.get(i));
    }
    out.raw(NEXT_CURSOR);
    out.string(nextCursor);
    out.raw((byte) '}');
    return out.toBuffer();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** One event loop's output array, reset per response. */
  static final class Out {
    private byte[] buf = new byte[8 * 1024];
    private int len;
    private final char[] scratch = new char[27];

    Out reset() {
      if (buf.length > KEEP_AT_MOST) {
        buf = new byte[8 * 1024];
      }
      len = 0;
      return this;
    }

    Buffer toBuffer() {
      return Buffer.buffer(len).appendBytes(buf, 0, len);
    }

    void task(Task t) {
      raw(ID);
      uuid(t.id());
      if (t.deleted()) {
        raw(DELETED);
        raw(UPDATED_AT);
        timestamp(t.updatedAt());
        raw((byte) '}');
        return;
      }
      raw(TITLE);
      string(t.title());
      raw(NOTES);
      string(t.notes());
      raw(STATUS);
      string(t.status());
      raw(PRIORITY);
      string(t.priority());
      raw(DUE_AT);
      timestamp(t.dueAt());
      raw(CREATED_AT);
      timestamp(t.createdAt());
      raw(UPDATED_AT);
      timestamp(t.updatedAt());
      raw(VERSION);
      number(t.version());
      if (t.attachmentsJson() == null) {
        raw(NO_ATTACHMENTS);
      } else {
        raw(ATTACHMENTS);
        utf8(t.attachmentsJson());
      }
      if (t.location() == null) {
        raw(NO_LOCATION);
      } else {
        raw(LOCATION);
        decimal(t.location().lat());
        raw(LON);
        decimal(t.location().lon());
        raw((byte) '}');
      }
      raw((byte) '}');
    }

    private void room(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }

    void raw(byte[] b) {
      room(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
    }

    void raw(byte b) {
      room(1);
      buf[len++] = b;
    }

    /** A JSON string, or {@code null}. */
    void string(String s) {
      if (s == null) {
        raw(NULL);
        return;
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
          } else {
            at = escape(b, at, c);
          }
        } else if (c < 0x800) {
          b[at++] = (byte) (0xc0 | c >> 6);
          b[at++] = (byte) (0x80 | (c & 0x3f));
        } else if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          b[at++] = (byte) (0xf0 | cp >> 18);
          b[at++] = (byte) (0x80 | (cp >> 12 & 0x3f));
          b[at++] = (byte) (0x80 | (cp >> 6 & 0x3f));
          b[at++] = (byte) (0x80 | (cp & 0x3f));
        } else if (Character.isSurrogate(c)) {
          // unpaired (input validation keeps these out of storage): escaped, still valid JSON
          at = unicodeEscape(b, at, c);
        } else {
          b[at++] = (byte) (0xe0 | c >> 12);
          b[at++] = (byte) (0x80 | (c >> 6 & 0x3f));
          b[at++] = (byte) (0x80 | (c & 0x3f));
        }
      }
      b[at++] = '"';
      len = at;
    }

    /** JSON text as it is (the stored attachments array), in UTF-8. */
    void utf8(String json) {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      raw(bytes);
    }

    private static int escape(byte[] b, int at, char c) {
      char shortForm =
          switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\b' -> 'b';
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\f' -> 'f';
            case '\r' -> 'r';
            default -> 0;
          };
      if (shortForm == 0) {
        return unicodeEscape(b, at, c);
      }
      b[at++] = '\\';
      b[at++] = (byte) shortForm;
      return at;
    }

    private static int unicodeEscape(byte[] b, int at, char c) {
      b[at++] = '\\';
      b[at++] = 'u';
      b[at++] = HEX[c >> 12 & 0xf];
      b[at++] = HEX[c >> 8 & 0xf];
      b[at++] = HEX[c >> 4 & 0xf];
      b[at++] = HEX[c & 0xf];
      return at;
    }

    void number(long v) {
      if (v >= 0 && v < 10) {
        raw((byte) ('0' + v));
      } else {
        raw(ascii(Long.toString(v)));
      }
    }

    /** A finite double (locations are validated finite), in Java's shortest round-trip form. */
    void decimal(double v) {
      raw(ascii(Double.toString(v)));
    }

    void uuid(UUID id) {
      room(38);
      long hi = id.getMostSignificantBits();
      long lo = id.getLeastSignificantBits();
      byte[] b = buf;
      int at = len;
      b[at++] = '"';
      for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
          b[at++] = '-';
        }
        int v = (int) ((i < 8 ? hi >>> (56 - 8 * i) : lo >>> (56 - 8 * (i - 8))) & 0xff);
        b[at++] = HEX[v >>> 4];
        b[at++] = HEX[v & 0xf];
      }
      b[at++] = '"';
      len = at;
    }

    /** Bulwark's wire form, UTC with microseconds ({@link Timestamps}), or {@code null}. */
    void timestamp(OffsetDateTime t) {
      if (t == null) {
        raw(NULL);
      } else if (Timestamps.write(t, scratch)) {
        room(29);
        buf[len++] = '"';
        for (int i = 0; i < 27; i++) {
          buf[len++] = (byte) scratch[i];
        }
        buf[len++] = '"';
      } else {
        string(Timestamps.format(t));
      }
    }
  }
}
