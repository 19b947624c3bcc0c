package dev.bulwark.tasks;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.bulwark.core.Timestamps;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Tasks as JSON, streamed by Jackson's generator straight into a {@link Buffer}: no tree per row,
 * field names pre-encoded, ids and timestamps written from a scratch array. Shapes (snake_case):
 * task {@code
 * {"id","title","notes","status","priority","due_at","created_at","updated_at","version",
 * "attachments"}} (the attachments as stored, written as they are), tombstone {@code
 * {"id","deleted":true,"updated_at"}}, page {@code {"items":[...],"next_cursor":...}}.
 */
final class TaskJson {
  private static final JsonFactory FACTORY = new JsonFactory();
  private static final SerializedString ID = new SerializedString("id");
  private static final SerializedString TITLE = new SerializedString("title");
  private static final SerializedString NOTES = new SerializedString("notes");
  private static final SerializedString STATUS = new SerializedString("status");
  private static final SerializedString PRIORITY = new SerializedString("priority");
  private static final SerializedString DUE_AT = new SerializedString("due_at");
  private static final SerializedString CREATED_AT = new SerializedString("created_at");
  private static final SerializedString UPDATED_AT = new SerializedString("updated_at");
  private static final SerializedString VERSION = new SerializedString("version");
  private static final SerializedString ATTACHMENTS = new SerializedString("attachments");
  private static final SerializedString DELETED = new SerializedString("deleted");
  private static final SerializedString ITEMS = new SerializedString("items");
  private static final SerializedString NEXT_CURSOR = new SerializedString("next_cursor");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private TaskJson() {}

  static Buffer task(Task t) {
    Buffer out =
        Buffer.buffer(320 + t.title().length() + (t.notes() == null ? 0 : t.notes().length()));
    try (JsonGenerator g = FACTORY.createGenerator(new BufferStream(out), JsonEncoding.UTF8)) {
      write(g, t, new char[36]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static Buffer page(List<Task> items, String nextCursor) {
    Buffer out = Buffer.buffer(64 + 320 * items.size());
    try (JsonGenerator g = FACTORY.createGenerator(new BufferStream(out), JsonEncoding.UTF8)) {
      char[] scratch = new char[36];
      g.writeStartObject();
      g.writeFieldName(ITEMS);
      g.writeStartArray();
      for (Task t : items) {
        write(g, t, scratch);
      }
      g.writeEndArray();
      g.writeFieldName(NEXT_CURSOR);
      if (nextCursor == null) {
        g.writeNull();
      } else {
        g.writeString(nextCursor);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static void write(JsonGenerator g, Task t, char[] scratch) throws IOException {
    g.writeStartObject();
    g.writeFieldName(ID);
    uuid(g, t.id(), scratch);
    if (t.deleted()) {
      g.writeFieldName(DELETED);
      g.writeBoolean(true);
      g.writeFieldName(UPDATED_AT);
      timestamp(g, t.updatedAt(), scratch);
      g.writeEndObject();
      return;
    }
    g.writeFieldName(TITLE);
    g.writeString(t.title());
    g.writeFieldName(NOTES);
    g.writeString(t.notes());
    g.writeFieldName(STATUS);
    g.writeString(t.status());
    g.writeFieldName(PRIORITY);
    g.writeString(t.priority());
    g.writeFieldName(DUE_AT);
    timestamp(g, t.dueAt(), scratch);
    g.writeFieldName(CREATED_AT);
    timestamp(g, t.createdAt(), scratch);
    g.writeFieldName(UPDATED_AT);
    timestamp(g, t.updatedAt(), scratch);
    g.writeFieldName(VERSION);
    g.writeNumber(t.version());
    g.writeFieldName(ATTACHMENTS);
    if (t.attachmentsJson() == null) {
      g.writeStartArray();
      g.writeEndArray();
    } else {
      g.writeRawValue(t.attachmentsJson());
    }
    g.writeEndObject();
  }

  private static void timestamp(JsonGenerator g, OffsetDateTime t, char[] scratch)
      throws IOException {
    if (t == null) {
      g.writeNull();
    } else if (Timestamps.write(t, scratch)) {
      g.writeString(scratch, 0, 27);
    } else {
      g.writeString(Timestamps.format(t));
    }
  }

  private static void uuid(JsonGenerator g, UUID id, char[] scratch) throws IOException {
    long hi = id.getMostSignificantBits();
    long lo = id.getLeastSignificantBits();
    int at = 0;
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) {
        scratch[at++] = '-';
      }
      int b = (int) ((i < 8 ? hi >>> (56 - 8 * i) : lo >>> (56 - 8 * (i - 8))) & 0xff);
      scratch[at++] = HEX[b >>> 4];
      scratch[at++] = HEX[b & 0xf];
    }
    g.writeString(scratch, 0, 36);
  }

  /**
   * Jackson writes through its own recycled buffer; this appends each flushed chunk to the response
   * buffer.
   */
  private static final class BufferStream extends OutputStream {
    private final Buffer buffer;

    BufferStream(Buffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public void write(int b) {
      buffer.appendByte((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      buffer.appendBytes(b, off, len);
    }
  }
}
