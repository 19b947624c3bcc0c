package dev.bulwark.auth;

import dev.bulwark.core.Failure;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/**
 * The verified caller of a {@link dev.bulwark.http.Access#USER} route, from the access token's
 * claims: user, session, token id and lifetime (epoch seconds). Put on the context by the gate,
 * once {@link AccessTokenCallers} recognised the token.
 */
public record Principal(UUID userId, UUID sessionId, String jti, long issuedAt, long expiresAt) {
  static final String KEY = "principal";

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
