package dev.bulwark.tasks;

import java.time.OffsetDateTime;

/**
 * A validated JSON merge patch (RFC 7396) of a task: for each field, whether it was present and its
 * new value ({@code null} clears {@code notes} / {@code due_at} / {@code location}; the others
 * refuse null at validation). Absent fields keep their value.
 */
public record TaskPatch(
    boolean hasTitle,
    String title,
    boolean hasNotes,
    String notes,
    boolean hasStatus,
    String status,
    boolean hasPriority,
    String priority,
    boolean hasDueAt,
    OffsetDateTime dueAt,
    boolean hasLocation,
    Location location) {

  public boolean isEmpty() {
    return !hasTitle && !hasNotes && !hasStatus && !hasPriority && !hasDueAt && !hasLocation;
  }

  /**
   * Which fields are set, one bit each in column order: title, notes, status, priority, due_at,
   * location (its two columns, lat and lon, under one bit).
   */
  int fieldMask() {
    return (hasTitle ? 1 : 0)
        | (hasNotes ? 2 : 0)
        | (hasStatus ? 4 : 0)
        | (hasPriority ? 8 : 0)
        | (hasDueAt ? 16 : 0)
        | (hasLocation ? 32 : 0);
  }
}
