package dev.bulwark.auth;

import dev.bulwark.core.Failure;
import dev.bulwark.core.Role;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * The verified caller of a {@link dev.bulwark.http.Access#USER} route, from the access token's
 * claims: user, session, token id, lifetime (epoch seconds) and role level. Put on the context by
 * the gate, once {@link AccessTokenCallers} recognised the token.
 */
public record Principal(
    UUID userId, UUID sessionId, String jti, long issuedAt, long expiresAt, Role role) {
  static final String KEY = "principal";

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
