package dev.bulwark.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An expected failure, in the domain's terms: what kind of outcome it is, a stable {@code code}, a
 * message safe to show, the fields at fault, and optionally how long to wait before retrying.
 * Services, repositories and request parsing raise these; the web layer alone decides the HTTP
 * status of each {@link Kind} (in {@code http.ProblemHandler}). Created without a stack trace:
 * these are outcomes, not bugs.
 */
public final class Failure extends RuntimeException {
  /** What went wrong, from the caller's point of view. */
  public enum Kind {
    /** The input is malformed or breaks a rule. */
    INVALID,
    /** No valid credentials: missing, malformed, expired or revoked. */
    UNAUTHENTICATED,
    /** Authenticated (or not), but this is not allowed. */
    FORBIDDEN,
    NOT_FOUND,
    /** The request conflicts with the current state (taken email, quota reached). */
    CONFLICT,
    /** It existed once and is no longer kept. */
    GONE,
    /** A condition the client set (a version) does not hold. */
    PRECONDITION_FAILED,
    /** The body is not in a form this endpoint takes. */
    UNSUPPORTED_MEDIA_TYPE,
    /** The body is larger than this endpoint takes. */
    TOO_LARGE,
    /** The body did not arrive in time (too slow, or past its deadline). */
    TIMED_OUT,
    /**
     * Well-formed, but cannot be processed as asked (an idempotency key reused with another body).
     */
    UNPROCESSABLE,
    /** Too many requests or attempts; {@link #retryAfterSeconds} says when to come back. */
    TOO_MANY_REQUESTS,
    /**
     * A dependency or a resource is briefly unavailable; {@link #retryAfterSeconds} says when to
     * retry.
     */
    UNAVAILABLE
  }

  /** {@link #retryAfterSeconds()} when the failure carries no retry hint. */
  public static final long NO_RETRY_HINT = -1;

  private final Kind kind;
  private final String code;
  private final List<FieldError> errors;
  private final long retryAfterSeconds;
  private final Map<String, Object> members;

  private Failure(
      Kind kind,
      String code,
      String detail,
      List<FieldError> errors,
      long retryAfterSeconds,
      Map<String, Object> members) {
    super(detail, null, false, false);
    this.kind = kind;
    this.code = code;
    this.errors = errors == null ? List.of() : List.copyOf(errors);
    this.retryAfterSeconds = retryAfterSeconds;
    this.members = members;
  }

  public static Failure of(Kind kind, String code, String detail) {
    return new Failure(kind, code, detail, List.of(), NO_RETRY_HINT, Map.of());
  }

  public static Failure invalid(String code, String detail) {
    return of(Kind.INVALID, code, detail);
  }

  /** An invalid request with the fields at fault; {@code code} names the failure as a whole. */
  public static Failure invalid(String code, String detail, List<FieldError> errors) {
    return new Failure(Kind.INVALID, code, detail, errors, NO_RETRY_HINT, Map.of());
  }

  public static Failure validation(List<FieldError> errors) {
    return invalid("validation_failed", "The request has invalid fields.", errors);
  }

  public static Failure validation(String field, String code, String message) {
    return validation(List.of(new FieldError(field, code, message)));
  }

  public static Failure unauthenticated(String code, String detail) {
    return of(Kind.UNAUTHENTICATED, code, detail);
  }

  public static Failure forbidden(String code, String detail) {
    return of(Kind.FORBIDDEN, code, detail);
  }

  public static Failure notFound(String detail) {
    return of(Kind.NOT_FOUND, "not_found", detail);
  }

  public static Failure conflict(String code, String detail) {
    return of(Kind.CONFLICT, code, detail);
  }

  public static Failure gone(String code, String detail) {
    return of(Kind.GONE, code, detail);
  }

  public static Failure preconditionFailed(String code, String detail) {
    return of(Kind.PRECONDITION_FAILED, code, detail);
  }

  public static Failure unprocessable(String code, String detail) {
    return of(Kind.UNPROCESSABLE, code, detail);
  }

  public static Failure tooManyRequests(String code, String detail, long retryAfterSeconds) {
    return new Failure(
        Kind.TOO_MANY_REQUESTS, code, detail, List.of(), retryAfterSeconds, Map.of());
  }

  public static Failure unavailable(String code, String detail, long retryAfterSeconds) {
    return new Failure(Kind.UNAVAILABLE, code, detail, List.of(), retryAfterSeconds, Map.of());
  }

  /**
   * The same failure with an extension member (a JSON scalar the client can act on, such as the
   * current version after a failed precondition), written into the problem body beside the standard
   * members.
   */
  public Failure withMember(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(members);
    more.put(name, value);
    return new Failure(kind, code, getMessage(), errors, retryAfterSeconds, Map.copyOf(more));
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }

  public List<FieldError> errors() {
    return errors;
  }

  /** Seconds to wait before retrying, or {@link #NO_RETRY_HINT}. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public Map<String, Object> members() {
    return members;
  }
}
