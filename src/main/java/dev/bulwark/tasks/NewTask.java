package dev.bulwark.tasks;

import java.time.OffsetDateTime;

/**
 * A validated create request: title already stripped, defaults applied; {@code location} may be
 * null.
 */
public record NewTask(
    String title,
    String notes,
    String status,
    String priority,
    OffsetDateTime dueAt,
    Location location) {}
