package dev.bulwark.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An expected failure with everything the client needs: status, stable {@code code}, a safe message, field errors,
 * and optionally how long to wait. Created without a stack trace — these are outcomes, not bugs.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final List<FieldError> errors;
  private final long retryAfterSeconds;
  private final Map<String, Object> members;

  public ApiException(int status, String code, String detail, List<FieldError> errors, long retryAfterSeconds) {
    this(status, code, detail, errors, retryAfterSeconds, Map.of());
  }

  private ApiException(int status, String code, String detail, List<FieldError> errors, long retryAfterSeconds,
      Map<String, Object> members) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
    this.errors = errors == null ? List.of() : List.copyOf(errors);
    this.retryAfterSeconds = retryAfterSeconds;
    this.members = members;
  }

  public ApiException(int status, String code, String detail) {
    this(status, code, detail, List.of(), -1);
  }

  public static ApiException badRequest(String code, String detail) {
    return new ApiException(400, code, detail);
  }

  public static ApiException validation(List<FieldError> errors) {
    return new ApiException(400, "validation_failed", "The request has invalid fields.", errors, -1);
  }

  public static ApiException validation(String field, String code, String message) {
    return validation(List.of(new FieldError(field, code, message)));
  }

  public static ApiException unauthorized(String code, String detail) {
    return new ApiException(401, code, detail);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(404, "not_found", detail);
  }

  public static ApiException conflict(String code, String detail) {
    return new ApiException(409, code, detail);
  }

  public static ApiException unavailable(String code, String detail, long retryAfterSeconds) {
    return new ApiException(503, code, detail, List.of(), retryAfterSeconds);
  }

  public static ApiException tooManyRequests(String code, String detail, long retryAfterSeconds) {
    return new ApiException(429, code, detail, List.of(), retryAfterSeconds);
  }

  /**
   * The same problem with an RFC 9457 extension member (a JSON scalar the client can act on, such as the current
   * version in a 412), written into the body beside the standard members.
   */
  public ApiException withMember(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(members);
    more.put(name, value);
    return new ApiException(status, code, getMessage(), errors, retryAfterSeconds, Map.copyOf(more));
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public List<FieldError> errors() {
    return errors;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public Map<String, Object> members() {
    return members;
  }
}
