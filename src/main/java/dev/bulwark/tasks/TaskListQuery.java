package dev.bulwark.tasks;

import dev.bulwark.core.Timestamps;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A validated list request: the order, the filters, the page size, and where the previous page
 * ended. A delta-sync request ({@code updated_since}) has the order {@link TaskSort#CHANGES} and no
 * other filter. A near request ({@link #near}) has the order {@link TaskSort#DISTANCE} and no other
 * filter.
 */
public record TaskListQuery(
    TaskSort sort,
    boolean descending,
    String status,
    String priority,
    OffsetDateTime dueBefore,
    OffsetDateTime dueAfter,
    String q,
    OffsetDateTime updatedSince,
    int limit,
    Position after,
    Near near) {

  /** A query without {@code near}. */
  public TaskListQuery(
      TaskSort sort,
      boolean descending,
      String status,
      String priority,
      OffsetDateTime dueBefore,
      OffsetDateTime dueAfter,
      String q,
      OffsetDateTime updatedSince,
      int limit,
      Position after) {
    this(
        sort,
        descending,
        status,
        priority,
        dueBefore,
        dueAfter,
        q,
        updatedSince,
        limit,
        after,
        null);
  }

  /** {@code near=lat,lon&radius_m=R}: tasks within R metres of the point, nearest first. */
  public record Near(double lat, double lon, int radiusM) {
    /** The largest radius: half the earth's circumference, so any point on it is within reach. */
    public static final int MAX_RADIUS_M = 20_000_000;
  }

  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 100;

  /**
   * Where a page ended: the last row's key (null: an undated task under due_at, and under distance,
   * whose key is {@code distance} in metres) and id.
   */
  public record Position(OffsetDateTime key, UUID id, double distance) {
    public Position(OffsetDateTime key, UUID id) {
      this(key, id, 0);
    }
  }

  public boolean isNear() {
    return sort == TaskSort.DISTANCE;
  }

  public boolean isSync() {
    return sort == TaskSort.CHANGES;
  }

  public TaskListQuery after(Position position) {
    return new TaskListQuery(
        sort,
        descending,
        status,
        priority,
        dueBefore,
        dueAfter,
        q,
        updatedSince,
        limit,
        position,
        near);
  }

  /**
   * 64 bits identifying the filters (and a near list's point and radius), so a cursor is refused by
   * any other query. Sort and direction are carried in the cursor itself; the limit may change from
   * page to page.
   */
  public long filterFingerprint() {
    if (near != null) {
      return digest(
          "near|"
              + Double.doubleToLongBits(near.lat())
              + "|"
              + Double.doubleToLongBits(near.lon())
              + "|"
              + near.radiusM());
    }
    if (status == null
        && priority == null
        && dueBefore == null
        && dueAfter == null
        && updatedSince == null
        && q == null) {
      return UNFILTERED; // the common page: computed once
    }
    return fingerprint(status, priority, dueBefore, dueAfter, updatedSince, q);
  }

  private static final long UNFILTERED = fingerprint(null, null, null, null, null, null);

  private static long fingerprint(
      String status,
      String priority,
      OffsetDateTime dueBefore,
      OffsetDateTime dueAfter,
      OffsetDateTime updatedSince,
      String q) {
    String canonical =
        "v1|"
            + text(status)
            + "|"
            + text(priority)
            + "|"
            + micros(dueBefore)
            + "|"
            + micros(dueAfter)
            + "|"
            + micros(updatedSince)
            + "|"
            + text(q);
    return digest(canonical);
  }

  private static long digest(String canonical) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static String text(String s) {
    return s == null ? "-" : "=" + s;
  }

  private static String micros(OffsetDateTime t) {
    return t == null ? "-" : Long.toString(Timestamps.toMicros(t));
  }
}
