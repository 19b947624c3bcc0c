package dev.bulwark.tasks;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * The orders a list can be read in, each keyset-paginated on (key, id) and served by an index (see
 * V2). The {@code due_at} key reads a missing due date as {@code 'infinity'}, so undated tasks come
 * last ascending and first descending, and the key is never null. {@link #CHANGES} is delta sync's
 * order: updated_at ascending, tombstones included; it is not a {@code sort} value a client can
 * pick. {@link #DISTANCE} is a near list's order (distance ascending, then id), chosen by {@code
 * near}; its key is a number, not a timestamp, so {@link #keyOf} has none for it.
 */
public enum TaskSort {
  CREATED_AT("created_at", "created_at", true),
  UPDATED_AT("updated_at", "updated_at", true),
  DUE_AT("due_at", "COALESCE(due_at, 'infinity'::timestamptz)", false),
  CHANGES("updated_since", "updated_at", false),
  DISTANCE("near", "distance", false);

  /** The name in the {@code sort} parameter. */
  final String param;

  /** The SQL expression rows are ordered by (matching its index's expression exactly). */
  final String key;

  /** The order used when the request gives none. */
  final boolean descendingByDefault;

  TaskSort(String param, String key, boolean descendingByDefault) {
    this.param = param;
    this.key = key;
    this.descendingByDefault = descendingByDefault;
  }

  static final Map<String, TaskSort> BY_PARAM =
      Map.of(CREATED_AT.param, CREATED_AT, UPDATED_AT.param, UPDATED_AT, DUE_AT.param, DUE_AT);

  /**
   * The value of this order's key for a row (null only for an undated task under {@link #DUE_AT}).
   */
  OffsetDateTime keyOf(Task t) {
    return switch (this) {
      case CREATED_AT -> t.createdAt();
      case UPDATED_AT, CHANGES -> t.updatedAt();
      case DUE_AT -> t.dueAt();
      case DISTANCE -> null;
    };
  }
}
