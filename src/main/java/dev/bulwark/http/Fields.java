package dev.bulwark.http;

import dev.bulwark.core.Failure;
import dev.bulwark.core.FieldError;
import dev.bulwark.core.Timestamps;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads fields of a JSON object body, collecting every problem (unknown field, missing, wrong type,
 * null, length) as a {@link FieldError}; {@link #validate()} then fails once with all of them.
 * Lengths count Unicode code points. Strings PostgreSQL cannot store (NUL, unpaired surrogates) are
 * refused here ({@code invalid_characters}).
 */
public final class Fields {
  private final JsonObject body;
  private final List<FieldError> errors = new ArrayList<>();

  /**
   * Rejects fields outside {@code allowed}; {@code forbidden} ones (server-owned) get a clearer
   * message.
   */
  public Fields(JsonObject body, Set<String> allowed, Set<String> forbidden) {
    this.body = body;
    for (String name : body.fieldNames()) {
      if (forbidden.contains(name)) {
        errors.add(
            new FieldError(
                name, "read_only", "'" + name + "' is set by the server and cannot be sent."));
      } else if (!allowed.contains(name)) {
        errors.add(
            new FieldError(
                name, "unknown_field", "'" + name + "' is not a field of this request."));
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

  /**
   * A required string; returns null (with an error recorded) when absent, null, not a string or out
   * of bounds.
   */
  public String requiredString(String name, int minLength, int maxLength) {
    if (!body.containsKey(name)) {
      error(name, "required", "'" + name + "' is required.");
      return null;
    }
    return string(name, minLength, maxLength, false, false);
  }

  /**
   * A required string whose bounds apply after stripping surrounding whitespace; returns the
   * stripped value.
   */
  public String requiredStrippedString(String name, int minLength, int maxLength) {
    if (!body.containsKey(name)) {
      error(name, "required", "'" + name + "' is required.");
      return null;
    }
    return string(name, minLength, maxLength, false, true);
  }

  /** Like {@link #optionalString}, with bounds applied after stripping surrounding whitespace. */
  public String optionalStrippedString(
      String name, int minLength, int maxLength, boolean nullable) {
    if (!body.containsKey(name)) {
      return null;
    }
    return string(name, minLength, maxLength, nullable, true);
  }

  /** An optional string: absent → null; explicit null allowed only when {@code nullable}. */
  public String optionalString(String name, int minLength, int maxLength, boolean nullable) {
    if (!body.containsKey(name)) {
      return null;
    }
    return string(name, minLength, maxLength, nullable, false);
  }

  private String string(
      String name, int minLength, int maxLength, boolean nullable, boolean strip) {
    Object v = body.getValue(name);
    if (v == null) {
      if (!nullable) {
        error(name, "null_not_allowed", "'" + name + "' must not be null.");
      }
      return null;
    }
    if (!(v instanceof String raw)) {
      error(name, "invalid_type", "'" + name + "' must be a string.");
      return null;
    }
    String s = strip ? raw.strip() : raw;
    int length = s.codePointCount(0, s.length());
    if (length < minLength) {
      error(
          name,
          minLength <= 1 ? "empty" : "too_short",
          "'" + name + "' must be at least " + minLength + " character(s).");
      return null;
    }
    if (length > maxLength) {
      error(name, "too_long", "'" + name + "' must be at most " + maxLength + " characters.");
      return null;
    }
    if (!storable(s)) {
      // PostgreSQL text cannot hold NUL (stored, it would fail the query with a 500), nor UTF-8 an
      // unpaired surrogate
      error(
          name,
          "invalid_characters",
          "'" + name + "' must not contain NUL (U+0000) characters or unpaired surrogates.");
      return null;
    }
    return s;
  }

  /**
   * True when {@code s} has no NUL and no unpaired surrogate: PostgreSQL text (UTF-8) can hold it.
   */
  public static boolean storable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * An optional RFC 3339 timestamp (see {@link Timestamps#parse}), in UTC; absent or null → null
   * (check {@link #isNull} to tell apart).
   */
  public OffsetDateTime optionalTimestamp(String name) {
    if (!body.containsKey(name) || body.getValue(name) == null) {
      return null;
    }
    Object v = body.getValue(name);
    if (!(v instanceof String s)) {
      error(name, "invalid_type", "'" + name + "' must be an RFC 3339 timestamp string.");
      return null;
    }
    Timestamps.Parsed parsed = Timestamps.parse(s);
    if (parsed.problem() != null) {
      timestampError(name, parsed.problem(), this::error);
    }
    return parsed.value();
  }

  /** Records the field error for an unparseable timestamp (shared with {@link QueryParams}). */
  static void timestampError(String name, Timestamps.Problem problem, ErrorSink sink) {
    if (problem == Timestamps.Problem.OUT_OF_RANGE) {
      sink.error(name, "out_of_range", "'" + name + "' must be between years 0001 and 9999.");
    } else {
      sink.error(
          name,
          "invalid_timestamp",
          "'" + name + "' must be an RFC 3339 timestamp such as 2026-01-31T09:00:00Z.");
    }
  }

  /** Where a shared check records its error. */
  interface ErrorSink {
    void error(String field, String code, String message);
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
    if (!(v instanceof String)) {
      error(name, "invalid_type", "'" + name + "' must be a string.");
      return null;
    }
    if (!allowed.contains(v)) {
      error(name, "invalid_value", notOneOf(name, allowed));
      return null;
    }
    return (String) v;
  }

  public List<FieldError> errors() {
    return errors;
  }

  /** Fails with 400 {@code validation_failed} listing every field error, if there are any. */
  public void validate() {
    if (!errors.isEmpty()) {
      throw Failure.validation(errors);
    }
  }

  /** The message for a value outside a fixed set, naming the set in a stable (sorted) order. */
  static String notOneOf(String name, Set<String> allowed) {
    return "'"
        + name
        + "' must be one of "
        + String.join(", ", allowed.stream().sorted().toList())
        + ".";
  }
}
