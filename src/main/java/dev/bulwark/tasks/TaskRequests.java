package dev.bulwark.tasks;

import dev.bulwark.http.Fields;
import dev.bulwark.http.QueryParams;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

/**
 * Turns requests into validated values, collecting every problem into one 400 that names each
 * field: create bodies, merge patches (RFC 7396: a member set to null clears it, an absent member
 * is left alone) and list parameters. Server-owned fields (id, owner, timestamps, version) in a
 * body are refused as {@code read_only}, anything else unknown as {@code unknown_field}: no mass
 * assignment.
 */
final class TaskRequests {
  static final Set<String> WRITABLE = Set.of("title", "notes", "status", "priority", "due_at");
  static final Set<String> READ_ONLY =
      Set.of(
          "id",
          "user_id",
          "owner",
          "owner_id",
          "created_at",
          "updated_at",
          "version",
          "deleted",
          "deleted_at");
  static final Set<String> LIST_PARAMS =
      Set.of(
          "status",
          "priority",
          "due_before",
          "due_after",
          "q",
          "sort",
          "order",
          "limit",
          "cursor",
          "updated_since");

  /**
   * What delta sync cannot be combined with: it returns every change, tombstones included, in
   * updated_at order.
   */
  private static final List<String> NOT_WITH_SYNC =
      List.of("status", "priority", "due_before", "due_after", "q", "sort", "order");

  static final int MAX_QUERY = 200;

  /**
   * A list request: the query, and the raw cursor (decoded against the query by {@link
   * TaskCursors}).
   */
  record ListRequest(TaskListQuery query, String cursor) {}

  private TaskRequests() {}

  static NewTask newTask(JsonObject body) {
    Fields f = new Fields(body, WRITABLE, READ_ONLY);
    String title = f.requiredStrippedString("title", 1, Task.MAX_TITLE);
    String notes = f.optionalString("notes", 0, Task.MAX_NOTES, true);
    String status = f.optionalEnum("status", Task.STATUSES);
    String priority = f.optionalEnum("priority", Task.PRIORITIES);
    OffsetDateTime dueAt = f.optionalTimestamp("due_at");
    f.validate();
    return new NewTask(
        title,
        notes,
        status == null ? "todo" : status,
        priority == null ? "normal" : priority,
        dueAt);
  }

  static TaskPatch patch(JsonObject body) {
    Fields f = new Fields(body, WRITABLE, READ_ONLY);
    String title = f.optionalStrippedString("title", 1, Task.MAX_TITLE, false);
    String notes = f.optionalString("notes", 0, Task.MAX_NOTES, true);
    String status = f.optionalEnum("status", Task.STATUSES);
    String priority = f.optionalEnum("priority", Task.PRIORITIES);
    OffsetDateTime dueAt = f.optionalTimestamp("due_at");
    f.validate();
    return new TaskPatch(
        f.has("title"),
        title,
        f.has("notes"),
        notes,
        f.has("status"),
        status,
        f.has("priority"),
        priority,
        f.has("due_at"),
        dueAt);
  }

  static ListRequest listRequest(RoutingContext ctx) {
    QueryParams p = QueryParams.of(ctx, LIST_PARAMS);
    int limit = p.integer("limit", TaskListQuery.DEFAULT_LIMIT, 1, TaskListQuery.MAX_LIMIT);
    String cursor = p.single("cursor");
    if (p.has("updated_since")) {
      OffsetDateTime since = p.timestamp("updated_since");
      for (String name : NOT_WITH_SYNC) {
        if (p.has(name)) {
          p.error(
              name,
              "not_combinable",
              "'"
                  + name
                  + "' cannot be combined with updated_since: delta sync returns "
                  + "every change, deletions included, in updated_at order.");
        }
      }
      p.validate();
      return new ListRequest(
          new TaskListQuery(
              TaskSort.CHANGES, false, null, null, null, null, null, since, limit, null),
          cursor);
    }
    TaskSort sort =
        TaskSort.BY_PARAM.get(
            p.oneOf("sort", TaskSort.BY_PARAM.keySet(), TaskSort.CREATED_AT.param));
    String order = p.oneOf("order", Set.of("asc", "desc"), null);
    boolean descending = order == null ? sort.descendingByDefault : order.equals("desc");
    String status = p.oneOf("status", Task.STATUSES, null);
    String priority = p.oneOf("priority", Task.PRIORITIES, null);
    OffsetDateTime dueBefore = p.timestamp("due_before");
    OffsetDateTime dueAfter = p.timestamp("due_after");
    String q = p.string("q", 1, MAX_QUERY);
    p.validate();
    return new ListRequest(
        new TaskListQuery(
            sort, descending, status, priority, dueBefore, dueAfter, q, null, limit, null),
        cursor);
  }
}
