package dev.bulwark.ceiling;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The task endpoints' work, on Bulwark's schema and with Bulwark's statements: a page of the newest live tasks (served
 * by {@code tasks_user_created_idx}), one task by id, and a create in one transaction (the owner's row locked, the
 * quota counted, the row inserted). Rows are written as JSON straight from the row set, in Bulwark's shapes:
 * task {@code {"id","title","notes","status","priority","due_at","created_at","updated_at","version","attachments",
 * "location"}} (the stored attachments array as it is), page
 * {@code {"items":[...],"next_cursor":...}} with a signed cursor of Bulwark's layout. One instance per verticle.
 */
final class Tasks {
  private static final String COLUMNS =
      "id, title, notes, status, priority, due_at, created_at, updated_at, version, attachments::text, lat, lon";
  private static final String PAGE = "SELECT " + COLUMNS + " FROM tasks WHERE user_id = $1 AND deleted_at IS NULL"
      + " ORDER BY created_at DESC, id DESC LIMIT $2";
  private static final String ONE = "SELECT " + COLUMNS + " FROM tasks WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL";
  private static final String LOCK_OWNER = "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE";
  private static final String COUNT_LIVE = "SELECT count(*) FROM (SELECT 1 FROM tasks WHERE user_id = $1"
      + " AND deleted_at IS NULL LIMIT $2) AS live";
  private static final String INSERT = "INSERT INTO tasks (user_id, title, notes, status, priority, due_at, created_at, updated_at)"
      + " SELECT $1::uuid, $2::text, $3::text, $4::text, $5::text, $6::timestamptz, now.t, now.t"
      + " FROM clock_timestamp() AS now (t) RETURNING " + COLUMNS;

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;
  private static final int MAX_TITLE = 200;
  private static final int MAX_NOTES = 10_000;
  private static final Set<String> STATUSES = Set.of("todo", "in_progress", "done");
  private static final Set<String> PRIORITIES = Set.of("low", "normal", "high");
  private static final Set<String> WRITABLE = Set.of("title", "notes", "status", "priority", "due_at");
  private static final JsonFactory JSON = new JsonFactory();

  private static final byte[] ID = bytes("{\"id\":");
  private static final byte[] TITLE = bytes(",\"title\":");
  private static final byte[] NOTES = bytes(",\"notes\":");
  private static final byte[] STATUS = bytes(",\"status\":");
  private static final byte[] PRIORITY = bytes(",\"priority\":");
  private static final byte[] DUE_AT = bytes(",\"due_at\":");
  private static final byte[] CREATED_AT = bytes(",\"created_at\":");
  private static final byte[] UPDATED_AT = bytes(",\"updated_at\":");
  private static final byte[] VERSION = bytes(",\"version\":");
  private static final byte[] ATTACHMENTS = bytes(",\"attachments\":");
  private static final byte[] LOCATION = bytes(",\"location\":{\"lat\":");
  private static final byte[] LON = bytes(",\"lon\":");
  private static final byte[] NO_LOCATION = bytes(",\"location\":null");
  private static final byte[] ITEMS = bytes("{\"items\":[");
  private static final byte[] NEXT_CURSOR = bytes("],\"next_cursor\":");

  /** The cursor's filter fingerprint for the unfiltered list: Bulwark hashes it per page; it is a constant. */
  private static final long NO_FILTERS = fingerprint("v1|-|-|-|-|-|-");
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** A validated create body. */
  record NewTask(String title, String notes, String status, String priority, OffsetDateTime dueAt) {
  }

  private final Pool pg;
  private final SqlClient reads;
  private final int quota;
  private final Mac cursorMac;
  private final JsonBytes out = new JsonBytes(16 * 1024);
  private final ByteBuffer cursor = ByteBuffer.allocate(36);
  private final ByteBuffer userBytes = ByteBuffer.allocate(16);

  Tasks(Pool pg, SqlClient reads, Settings settings) {
    this.pg = pg;
    this.reads = reads;
    this.quota = settings.taskQuota();
    try {
      Mac derive = Mac.getInstance("HmacSHA256");
      derive.init(new SecretKeySpec(settings.jwtSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      cursorMac = Mac.getInstance("HmacSHA256");
      cursorMac.init(new SecretKeySpec(derive.doFinal(bytes("bulwark-cursor")), "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first page of the user's live tasks, newest first, as the response body. */
  Future<Buffer> page(UUID userId, int limit) {
    return reads.preparedQuery(PAGE).execute(Tuple.of(userId, limit + 1)).map(rows -> pageJson(userId, limit, rows));
  }

  /** One live task of the user, as the response body; fails with 404 when there is none. */
  Future<Row> one(UUID userId, UUID id) {
    return reads.preparedQuery(ONE).execute(Tuple.of(id, userId)).map(Tasks::first);
  }

  /** Owner locked → quota counted → inserted, in one transaction; the inserted row. */
  Future<Row> create(UUID userId, NewTask t) {
    return pg.withTransaction(conn -> conn.preparedQuery(LOCK_OWNER).execute(Tuple.of(userId))
        .compose(owner -> owner.size() == 1 ? countLive(conn, userId) : Future.failedFuture(Reject.USER_GONE))
        .compose(live -> live >= quota ? Future.failedFuture(Reject.QUOTA)
            : conn.preparedQuery(INSERT).execute(Tuple.of(userId, t.title(), t.notes(), t.status(), t.priority(), t.dueAt())))
        .map(Tasks::first));
  }

  private Future<Long> countLive(SqlConnection conn, UUID userId) {
    return conn.preparedQuery(COUNT_LIVE).execute(Tuple.of(userId, quota)).map(rows -> rows.iterator().next().getLong(0));
  }

  private static Row first(RowSet<Row> rows) {
    var it = rows.iterator();
    if (!it.hasNext()) {
      throw Reject.NOT_FOUND;
    }
    return it.next();
  }

  Buffer taskJson(Row row) {
    write(out.reset(), row);
    return out.toBuffer();
  }

  private Buffer pageJson(UUID userId, int limit, RowSet<Row> rows) {
    JsonBytes json = out.reset().raw(ITEMS);
    int n = 0;
    Row last = null;
    for (Row row : rows) {
      if (n == limit) {
        break;
      }
      if (n++ > 0) {
        json.raw(',');
      }
      write(json, row);
      last = row;
    }
    json.raw(NEXT_CURSOR);
    if (rows.size() > limit) {
      json.string(cursor(userId, last.getOffsetDateTime(6), last.getUUID(0)));
    } else {
      json.nul();
    }
    return json.raw('}').toBuffer();
  }

  private static void write(JsonBytes json, Row row) {
    json.raw(ID).uuid(row.getUUID(0))
        .raw(TITLE).string(row.getString(1))
        .raw(NOTES).string(row.getString(2))
        .raw(STATUS).string(row.getString(3))
        .raw(PRIORITY).string(row.getString(4))
        .raw(DUE_AT).timestamp(row.getOffsetDateTime(5))
        .raw(CREATED_AT).timestamp(row.getOffsetDateTime(6))
        .raw(UPDATED_AT).timestamp(row.getOffsetDateTime(7))
        .raw(VERSION).number(row.getInteger(8))
        .raw(ATTACHMENTS).utf8(row.getString(9) == null ? "[]" : row.getString(9));
    Double lat = row.getDouble(10);
    if (lat == null) {
      json.raw(NO_LOCATION);
    } else {
      json.raw(LOCATION).decimal(lat).raw(LON).decimal(row.getDouble(11)).raw('}');
    }
    json.raw('}');
  }

  /** Bulwark's cursor: 36 bytes of position (created_at order, descending) + a 16-byte HMAC tag bound to the user. */
  private String cursor(UUID userId, OffsetDateTime createdAt, UUID lastId) {
    long micros = createdAt.toEpochSecond() * 1_000_000L + createdAt.getNano() / 1000;
    cursor.clear();
    cursor.put((byte) 1).put((byte) 0).put((byte) 1).put((byte) 0).putLong(micros)
        .putLong(lastId.getMostSignificantBits()).putLong(lastId.getLeastSignificantBits()).putLong(NO_FILTERS);
    userBytes.clear();
    userBytes.putLong(userId.getMostSignificantBits()).putLong(userId.getLeastSignificantBits());
    cursorMac.update(userBytes.array());
    cursorMac.update(cursor.array());
    byte[] raw = Arrays.copyOf(cursor.array(), 52);
    System.arraycopy(cursorMac.doFinal(), 0, raw, 36, 16);
    return B64.encodeToString(raw);
  }

  /** The create body: only Bulwark's writable fields, each validated as Bulwark does; else a 400. */
  static NewTask newTask(Buffer body) {
    String title = null;
    String notes = null;
    String status = "todo";
    String priority = "normal";
    OffsetDateTime dueAt = null;
    try (JsonParser p = JSON.createParser(body.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw Reject.BAD_BODY;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (!WRITABLE.contains(name)) {
          throw Reject.BAD_BODY;
        }
        boolean isNull = value == JsonToken.VALUE_NULL;
        if (!isNull && value != JsonToken.VALUE_STRING) {
          throw Reject.BAD_BODY;
        }
        String text = isNull ? null : p.getText();
        switch (name) {
          case "title" -> title = text == null ? null : text.strip();
          case "notes" -> notes = text;
          case "status" -> status = oneOf(text, STATUSES);
          case "priority" -> priority = oneOf(text, PRIORITIES);
          default -> dueAt = text == null ? null : timestamp(text);
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw Reject.BAD_BODY;
      }
    } catch (IOException e) {
      throw Reject.BAD_BODY;
    }
    if (title == null || title.isEmpty() || title.length() > MAX_TITLE || (notes != null && notes.length() > MAX_NOTES)) {
      throw Reject.BAD_BODY;
    }
    return new NewTask(title, notes, status, priority, dueAt);
  }

  private static String oneOf(String value, Set<String> allowed) {
    if (value == null || !allowed.contains(value)) {
      throw Reject.BAD_BODY;
    }
    return value;
  }

  private static OffsetDateTime timestamp(String text) {
    try {
      OffsetDateTime t = OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
      if (t.getYear() < 1 || t.getYear() > 9999) {
        throw Reject.BAD_BODY;
      }
      return t;
    } catch (DateTimeException e) {
      throw Reject.BAD_BODY;
    }
  }

  private static long fingerprint(String canonical) {
    try {
      return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest(bytes(canonical))).getLong();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
