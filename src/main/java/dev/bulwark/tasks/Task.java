package dev.bulwark.tasks;

import java.time.OffsetDateTime;
import java.util.Set;
import java.util.UUID;

/**
 * One task as stored. A deleted task (a tombstone, seen only by delta sync) is shown as {@code
 * {"id","deleted":true,"updated_at"}}; its other fields are not exposed. {@code attachmentsJson} is
 * the task's attachments as a JSON array, kept by the attachments feature with each change; {@code
 * location} is null when the task has none.
 */
public record Task(
    UUID id,
    String title,
    String notes,
    String status,
    String priority,
    OffsetDateTime dueAt,
    OffsetDateTime createdAt,
    OffsetDateTime updatedAt,
    int version,
    boolean deleted,
    String attachmentsJson,
    Location location) {

  public static final Set<String> STATUSES = Set.of("todo", "in_progress", "done");
  public static final Set<String> PRIORITIES = Set.of("low", "normal", "high");
  public static final int MAX_TITLE = 200;
  public static final int MAX_NOTES = 10_000;

  /** The {@code ETag} of this version: strong, since one version has exactly one representation. */
  public String etag() {
    return "\"" + version + "\"";
  }
}
