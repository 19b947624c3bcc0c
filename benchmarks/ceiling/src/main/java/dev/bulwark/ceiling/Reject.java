package dev.bulwark.ceiling;

/** An expected refusal: status and a stable code, answered as {@code {"code":...}}; no stack trace. */
final class Reject extends RuntimeException {
  static final Reject UNAUTHORIZED = new Reject(401, "invalid_token");
  static final Reject REVOKED = new Reject(401, "token_revoked");
  static final Reject RATE_LIMITED = new Reject(429, "rate_limited");
  static final Reject NOT_FOUND = new Reject(404, "not_found");
  static final Reject METHOD = new Reject(405, "method_not_allowed");
  static final Reject BAD_BODY = new Reject(400, "invalid_body");
  static final Reject TOO_LARGE = new Reject(413, "body_too_large");
  static final Reject MEDIA_TYPE = new Reject(415, "unsupported_media_type");
  static final Reject BAD_QUERY = new Reject(400, "invalid_query");
  static final Reject QUOTA = new Reject(409, "quota_exceeded");
  static final Reject USER_GONE = new Reject(401, "user_not_found");
  static final Reject BAD_REFRESH = new Reject(401, "invalid_refresh_token");

  final int status;
  final String code;

  Reject(int status, String code) {
    super(code, null, false, false);
    this.status = status;
    this.code = code;
  }
}
