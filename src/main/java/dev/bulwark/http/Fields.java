package dev.bulwark.http;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads fields of a JSON object body, collecting every problem (unknown field, missing, wrong type, null, length)
 * as a {@link FieldError}; {@link #validate()} then fails once with all of them. Lengths count Unicode code points.
 */
public final class Fields {
  private final JsonObject body;
  private final List<FieldError> errors = new ArrayList<>();

  /** Rejects fields outside {@code allowed}; {@code forbidden} ones (server-owned) get a clearer message. */
  public Fields(JsonObject body, Set<String> allowed, Set<String> forbidden) {
    this.body = body;
    for (String name : body.fieldNames()) {
      if (forbidden.contains(name)) {
        errors.add(new FieldError(name, "read_only", "'" + name + "' is set by the server and cannot be sent."));
      } else if (!allowed.contains(name)) {
        errors.add(new FieldError(name, "unknown_field", "'" + name + "' is not a field of this request."));
      }
    }
  }

  public Fields(JsonObject body, Set<String> allowed) {
    this(body, allowed, Set.of());
  }

  public boolean has(String name) {
    return body.containsKey(name);
  }

  public boolean isNull(String name) {
    return body.containsKey(name) && body.getValue(name) == null;
  }

  public void error(String field, String code, String message) {
    errors.add(new FieldError(field, code, message));
  }

  /** A required string; returns null (with an error recorded) when absent, null, not a string or out of bounds. */
  public String requiredString(String name, int minLength, int maxLength) {
    if (!body.containsKey(name)) {
      error(name, "required", "'" + name + "' is required.");
      return null;
    }
    return string(name, minLength, maxLength, false);
  }

  /** An optional string: absent → null; explicit null allowed only when {@code nullable}. */
  public String optionalString(String name, int minLength, int maxLength, boolean nullable) {
    if (!body.containsKey(name)) {
      return null;
    }
    return string(name, minLength, maxLength, nullable);
  }

  private String string(String name, int minLength, int maxLength, boolean nullable) {
    Object v = body.getValue(name);
    if (v == null) {
      if (!nullable) {
        error(name, "null_not_allowed", "'" + name + "' must not be null.");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      error(name, "invalid_type", "'" + name + "' must be a string.");
      return null;
    }
    int length = s.codePointCount(0, s.length());
    if (length < minLength) {
      error(name, minLength <= 1 ? "empty" : "too_short", "'" + name + "' must be at least " + minLength + " character(s).");
      return null;
    }
    if (length > maxLength) {
      error(name, "too_long", "'" + name + "' must be at most " + maxLength + " characters.");
      return null;
    }
    if (s.indexOf('\0') >= 0) {
      // PostgreSQL text cannot hold NUL: stored, it would fail the query with a 500
      error(name, "invalid_characters", "'" + name + "' must not contain NUL (U+0000) characters.");
      return null;
    }
    return s;
  }

  /** An optional RFC 3339 timestamp with offset; absent or null → null (check {@link #isNull} to tell apart). */
  public OffsetDateTime optionalTimestamp(String name) {
    if (!body.containsKey(name) || body.getValue(name) == null) {
      return null;
    }
    Object v = body.getValue(name);
    if (!(v instanceof String s)) {
      error(name, "invalid_type", "'" + name + "' must be an RFC 3339 timestamp string.");
      return null;
    }
    try {
      return OffsetDateTime.parse(s);
    } catch (DateTimeParseException e) {
      error(name, "invalid_timestamp", "'" + name + "' must be an RFC 3339 timestamp such as 2026-01-31T09:00:00Z.");
      return null;
    }
  }

  /** One of a fixed set of strings; absent → null. */
  public String optionalEnum(String name, Set<String> allowed) {
    if (!body.containsKey(name)) {
      return null;
    }
    Object v = body.getValue(name);
    if (v == null) {
      error(name, "null_not_allowed", "'" + name + "' must not be null.");
      return null;
    }
    if (!(v instanceof String s) || !allowed.contains(s)) {
      error(name, "invalid_value", "'" + name + "' must be one of " + String.join(", ", allowed.stream().sorted().toList()) + ".");
      return null;
    }
    return s;
  }

  public List<FieldError> errors() {
    return errors;
  }

  /** Fails with 400 {@code validation_failed} listing every field error, if there are any. */
  public void validate() {
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
  }
}
