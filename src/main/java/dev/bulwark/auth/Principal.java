package dev.bulwark.auth;

import dev.bulwark.core.Failure;
import dev.bulwark.core.Role;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * The verified caller of a {@link dev.bulwark.http.Access#USER} route, from the access token's
 * claims: user, session, token id, lifetime (epoch seconds), role level, assurance level ({@code
 * aal}: 2 once a second factor was proven) and whether the token may only enrol a second factor.
 * Put on the context by the gate, once {@link AccessTokenCallers} recognised the token.
 */
public record Principal(
    UUID userId,
    UUID sessionId,
    String jti,
    long issuedAt,
    long expiresAt,
    Role role,
    int aal,
    boolean enrolmentOnly) {
  static final String KEY = "principal";

  /** A caller signed in with one factor. */
  public Principal(
      UUID userId, UUID sessionId, String jti, long issuedAt, long expiresAt, Role role) {
    this(userId, sessionId, jti, issuedAt, expiresAt, role, 1, false);
  }

  /** A caller of the lowest role. */
  public Principal(UUID userId, UUID sessionId, String jti, long issuedAt, long expiresAt) {
    this(userId, sessionId, jti, issuedAt, expiresAt, Role.USER);
  }

  public static Principal of(RoutingContext ctx) {
    Principal p = ctx.get(KEY);
    if (p == null) {
      throw Failure.unauthenticated("unauthorized", "Authentication is required.");
    }
    return p;
  }

  public static Principal orNull(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  void attach(RoutingContext ctx) {
    ctx.put(KEY, this);
  }
}
