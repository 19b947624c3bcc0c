package dev.bulwark.tasks;

import dev.bulwark.http.Fields;
import dev.bulwark.http.QueryParams;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns requests into validated values, collecting every problem into one 400 that names each
 * field: create bodies, merge patches (RFC 7396: a member set to null clears it, an absent member
 * is left alone) and list parameters. Server-owned fields (id, owner, timestamps, version) in a
 * body are refused as {@code read_only}, anything else unknown as {@code unknown_field}: no mass
 * assignment.
 */
final class TaskRequests {
  static final Set<String> WRITABLE =
      Set.of("title", "notes", "status", "priority", "due_at", "location");
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
          "updated_since",
          "near",
          "radius_m");

  /**
   * What delta sync cannot be combined with: it returns every change, tombstones included, in
   * updated_at order.
   */
  private static final List<String> NOT_WITH_SYNC =
      List.of(
          "status",
          "priority",
          "due_before",
          "due_after",
          "q",
          "sort",
          "order",
          "near",
          "radius_m");

  /** What a near list cannot be combined with: it is ordered by distance, over all live tasks. */
  private static final List<String> NOT_WITH_NEAR =
      List.of("status", "priority", "due_before", "due_after", "q", "sort", "order");

  /**
   * {@code lat,lon}: plain decimals (no exponent, no NaN or Infinity), so every accepted value is
   * finite.
   */
  private static final Pattern NEAR =
      Pattern.compile("(-?[0-9]{1,3}(?:\\.[0-9]{1,17})?),(-?[0-9]{1,3}(?:\\.[0-9]{1,17})?)");

  private static final Set<String> LOCATION_FIELDS = Set.of("lat", "lon");

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
    Location location = location(f, body);
    f.validate();
    return new NewTask(
        title,
        notes,
        status == null ? "todo" : status,
        priority == null ? "normal" : priority,
        dueAt,
        location);
  }

  static TaskPatch patch(JsonObject body) {
    Fields f = new Fields(body, WRITABLE, READ_ONLY);
    String title = f.optionalStrippedString("title", 1, Task.MAX_TITLE, false);
    String notes = f.optionalString("notes", 0, Task.MAX_NOTES, true);
    String status = f.optionalEnum("status", Task.STATUSES);
    String priority = f.optionalEnum("priority", Task.PRIORITIES);
    OffsetDateTime dueAt = f.optionalTimestamp("due_at");
    Location location = location(f, body);
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
        dueAt,
        f.has("location"),
        location);
  }

  /**
   * {@code location}: absent or null → null (null clears it on a patch); else an object of exactly
   * two finite numbers, {@code lat} in −90..90 and {@code lon} in −180..180.
   */
  private static Location location(Fields f, JsonObject body) {
    if (!f.has("location") || f.isNull("location")) {
      return null;
    }
    if (!(body.getValue("location") instanceof JsonObject point)) {
      f.error(
          "location",
          "invalid_type",
          "'location' must be an object {\"lat\": number, \"lon\": number}, or null.");
      return null;
    }
    for (String name : point.fieldNames()) {
      if (!LOCATION_FIELDS.contains(name)) {
        f.error(
            "location." + name, "unknown_field", "'" + name + "' is not a field of a location.");
      }
    }
    Double lat = degrees(f, point, "lat", Location.MAX_LAT);
    Double lon = degrees(f, point, "lon", Location.MAX_LON);
    return lat == null || lon == null ? null : new Location(lat, lon);
  }

  private static Double degrees(Fields f, JsonObject point, String name, double max) {
    String field = "location." + name;
    Object v = point.getValue(name);
    if (v == null) {
      f.error(field, "required", "'" + field + "' is required (a number of degrees).");
      return null;
    }
    if (!(v instanceof Number n)) {
      f.error(field, "invalid_type", "'" + field + "' must be a number.");
      return null;
    }
    double d = n.doubleValue();
    if (!Double.isFinite(d) || d < -max || d > max) {
      f.error(
          field, "out_of_range", "'" + field + "' must be between " + -max + " and " + max + ".");
      return null;
    }
    return d;
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
    if (p.has("near") || p.has("radius_m")) {
      return nearRequest(p, limit, cursor);
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

  private static ListRequest nearRequest(QueryParams p, int limit, String cursor) {
    for (String name : NOT_WITH_NEAR) {
      if (p.has(name)) {
        p.error(
            name,
            "not_combinable",
            "'" + name + "' cannot be combined with near: a near list is ordered by distance.");
      }
    }
    if (!p.has("near")) {
      p.error("near", "required", "'near' (lat,lon) is required with radius_m.");
    }
    if (!p.has("radius_m")) {
      p.error("radius_m", "required", "'radius_m' (metres) is required with near.");
    }
    int radius = p.integer("radius_m", 0, 1, TaskListQuery.Near.MAX_RADIUS_M);
    String near = p.single("near");
    Location at = null;
    if (near != null) {
      Matcher m = NEAR.matcher(near);
      if (!m.matches()) {
        p.error(
            "near",
            "invalid_format",
            "'near' must be two decimal numbers of degrees, lat,lon (e.g. 52.52,13.405).");
      } else {
        double lat = Double.parseDouble(m.group(1));
        double lon = Double.parseDouble(m.group(2));
        if (!Location.validLat(lat) || !Location.validLon(lon)) {
          p.error(
              "near",
              "out_of_range",
              "'near' must have a latitude in -90..90 and a longitude in -180..180.");
        } else {
          at = new Location(lat, lon);
        }
      }
    }
    p.validate();
    return new ListRequest(
        new TaskListQuery(
            TaskSort.DISTANCE,
            false,
            null,
            null,
            null,
            null,
            null,
            null,
            limit,
            null,
            new TaskListQuery.Near(at.lat(), at.lon(), radius)),
        cursor);
  }
}
