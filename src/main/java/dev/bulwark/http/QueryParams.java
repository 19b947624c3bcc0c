package dev.bulwark.http;

import dev.bulwark.core.Failure;
import dev.bulwark.core.FieldError;
import dev.bulwark.core.Timestamps;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads query parameters the way {@link Fields} reads a body: every problem (unknown parameter,
 * repeated, empty, not an integer, out of range, not one of a set, not a timestamp) is collected as
 * a {@link FieldError} naming the parameter, and {@link #validate()} fails once with 400 {@code
 * validation_failed} listing them all.
 */
public final class QueryParams {
  private final MultiMap params;
  private final List<FieldError> errors = new ArrayList<>();

  private QueryParams(MultiMap params) {
    this.params = params;
  }

  /**
   * The request's parameters; names outside {@code allowed} are errors (a typo must not silently
   * widen a query).
   */
  public static QueryParams of(RoutingContext ctx, Set<String> allowed) {
    MultiMap params;
    try {
      params = ctx.queryParams();
    } catch (IllegalArgumentException e) {
      throw Failure.invalid(
          "malformed_query", "The query string is not valid percent-encoded UTF-8.");
    }
    QueryParams q = new QueryParams(params);
    if (!params.isEmpty()) {
      for (String name : params.names()) {
        if (!allowed.contains(name)) {
          q.error(name, "unknown_parameter", "'" + name + "' is not a parameter of this request.");
        }
      }
    }
    return q;
  }

  public boolean has(String name) {
    return params.contains(name);
  }

  public void error(String field, String code, String message) {
    errors.add(new FieldError(field, code, message));
  }

  /** The single value of a parameter, or null when absent; repeated or empty values are errors. */
  public String single(String name) {
    List<String> values = params.getAll(name);
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      error(name, "repeated_parameter", "'" + name + "' must be given at most once.");
      return null;
    }
    String v = values.get(0);
    if (v.isEmpty()) {
      error(name, "empty", "'" + name + "' must not be empty.");
      return null;
    }
    return v;
  }

  /** A string of {@code minLength}–{@code maxLength} code points; absent → null. */
  public String string(String name, int minLength, int maxLength) {
    String v = single(name);
    if (v == null) {
      return null;
    }
    int length = v.codePointCount(0, v.length());
    if (!Fields.storable(v)) {
      error(
          name,
          "invalid_characters",
          "'" + name + "' must not contain NUL (U+0000) characters or unpaired surrogates.");
      return null;
    }
    if (length < minLength || length > maxLength) {
      error(
          name,
          "invalid_length",
          "'" + name + "' must be " + minLength + " to " + maxLength + " characters.");
      return null;
    }
    return v;
  }

  /** A decimal integer in {@code [min, max]}; absent → {@code fallback}. */
  public int integer(String name, int fallback, int min, int max) {
    String v = single(name);
    if (v == null) {
      return fallback;
    }
    if (!isInteger(v)) {
      error(name, "invalid_type", "'" + name + "' must be a whole number.");
      return fallback;
    }
    if (v.length() > 18 || Long.parseLong(v) < min || Long.parseLong(v) > max) {
      error(name, "out_of_range", "'" + name + "' must be between " + min + " and " + max + ".");
      return fallback;
    }
    return Integer.parseInt(v);
  }

  /** {@code -?[0-9]+}, ASCII digits only. */
  private static boolean isInteger(String v) {
    int start = v.startsWith("-") ? 1 : 0;
    if (v.length() == start) {
      return false;
    }
    for (int i = start; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** One of a fixed set of values; absent → {@code fallback}. */
  public String oneOf(String name, Set<String> allowed, String fallback) {
    String v = single(name);
    if (v == null) {
      return fallback;
    }
    if (!allowed.contains(v)) {
      error(name, "invalid_value", Fields.notOneOf(name, allowed));
      return fallback;
    }
    return v;
  }

  /** An RFC 3339 timestamp in UTC (see {@link Timestamps#parse}); absent → null. */
  public OffsetDateTime timestamp(String name) {
    String v = single(name);
    if (v == null) {
      return null;
    }
    Timestamps.Parsed parsed = Timestamps.parse(v);
    if (parsed.problem() != null) {
      Fields.timestampError(name, parsed.problem(), this::error);
    }
    return parsed.value();
  }

  public List<FieldError> errors() {
    return errors;
  }

  /** Fails with 400 {@code validation_failed} listing every parameter error, if there are any. */
  public void validate() {
    if (!errors.isEmpty()) {
      throw Failure.validation(errors);
    }
  }
}
