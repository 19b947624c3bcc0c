package dev.bulwark.tasks;

import dev.bulwark.core.Failure;
import dev.bulwark.core.FieldError;
import dev.bulwark.core.Timestamps;
import dev.bulwark.tasks.TaskListQuery.Position;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque, tamper-evident page cursors: base64url of a 36-byte position plus a 128-bit HMAC-SHA256
 * tag. The tag also covers the user id, so a cursor works only for the user it was made for; the
 * position carries the order, the direction and a fingerprint of the filters, so a cursor replayed
 * against a different query is refused.
 *
 * <pre>
 *   0      version (1)            4..11  key, epoch microseconds (0 when null; a near list's
 *                                         distance in metres, as IEEE 754 double bits)
 *   1      order (TaskSort)      12..27  last id
 *   2      direction (1 = desc)  28..35  filter fingerprint
 *   3      flags (1 = key null)  36..51  tag = HMAC(k, user id ‖ bytes 0..35)[0..16)
 * </pre>
 *
 * The key is derived from the JWT secret ({@code HMAC(secret, "bulwark-cursor")}) so the two uses
 * never share a key. Instances hold a {@link Mac}, which is not thread-safe: one per HTTP verticle,
 * used on its event loop.
 */
public final class TaskCursors {
  private static final byte VERSION = 1;
  private static final int BODY = 36;
  private static final int TAG = 16;
  private static final int ENCODED_LENGTH = 70; // base64url, unpadded, of 52 bytes
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final Mac mac;

  public TaskCursors(String secret) {
    if (secret == null) {
      throw new IllegalStateException("jwt.secret is required to sign page cursors");
    }
    try {
      Mac derive = Mac.getInstance("HmacSHA256");
      derive.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] key = derive.doFinal("bulwark-cursor".getBytes(StandardCharsets.UTF_8));
      this.mac = Mac.getInstance("HmacSHA256");
      this.mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  public String encode(UUID userId, TaskListQuery query, Position last) {
    ByteBuffer out = ByteBuffer.allocate(BODY + TAG);
    out.put(VERSION)
        .put((byte) query.sort().ordinal())
        .put((byte) (query.descending() ? 1 : 0))
        .put((byte) (last.key() == null && !query.isNear() ? 1 : 0))
        .putLong(key(query, last))
        .putLong(last.id().getMostSignificantBits())
        .putLong(last.id().getLeastSignificantBits())
        .putLong(query.filterFingerprint());
    out.put(tag(userId, out.array()));
    return ENCODER.encodeToString(out.array());
  }

  private static long key(TaskListQuery query, Position last) {
    if (query.isNear()) {
      return Double.doubleToLongBits(last.distance());
    }
    return last.key() == null ? 0 : Timestamps.toMicros(last.key());
  }

  /**
   * The position a cursor names, if it was made by this server, for this user and this query; else
   * 400.
   */
  public Position decode(String cursor, UUID userId, TaskListQuery query) {
    byte[] raw = bytes(cursor);
    if (raw == null
        || !MessageDigest.isEqual(tag(userId, raw), Arrays.copyOfRange(raw, BODY, BODY + TAG))
        || raw[0] != VERSION) {
      throw invalid("The cursor is malformed or has been altered; start again without a cursor.");
    }
    ByteBuffer in = ByteBuffer.wrap(raw, 1, BODY - 1);
    int order = in.get();
    boolean descending = in.get() == 1;
    boolean nullKey = in.get() == 1;
    long micros = in.getLong();
    UUID id = new UUID(in.getLong(), in.getLong());
    long fingerprint = in.getLong();
    if (order != query.sort().ordinal()
        || descending != query.descending()
        || fingerprint != query.filterFingerprint()) {
      throw invalid(
          "The cursor was made for a different sort or different filters; repeat the original query with it.");
    }
    if (nullKey && query.sort() != TaskSort.DUE_AT) {
      throw invalid("The cursor is malformed or has been altered; start again without a cursor.");
    }
    if (query.isNear()) {
      double distance = Double.longBitsToDouble(micros);
      if (!(distance >= 0 && distance <= TaskListQuery.Near.MAX_RADIUS_M)) {
        throw invalid("The cursor is malformed or has been altered; start again without a cursor.");
      }
      return new Position(null, id, distance);
    }
    return new Position(nullKey ? null : Timestamps.fromMicros(micros), id);
  }

  private static byte[] bytes(String cursor) {
    if (cursor.length() != ENCODED_LENGTH) {
      return null;
    }
    for (int i = 0; i < cursor.length(); i++) {
      char c = cursor.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        return null;
      }
    }
    try {
      byte[] raw = DECODER.decode(cursor);
      // one encoding per cursor: unused trailing bits must be zero, or two strings would name the
      // same cursor
      return raw.length == BODY + TAG && ENCODER.encodeToString(raw).equals(cursor) ? raw : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private byte[] tag(UUID userId, byte[] message) {
    mac.update(
        ByteBuffer.allocate(16)
            .putLong(userId.getMostSignificantBits())
            .putLong(userId.getLeastSignificantBits())
            .array());
    mac.update(message, 0, BODY);
    return Arrays.copyOf(mac.doFinal(), TAG);
  }

  private static Failure invalid(String detail) {
    return Failure.invalid(
        "invalid_cursor", detail, List.of(new FieldError("cursor", "invalid_cursor", detail)));
  }
}
