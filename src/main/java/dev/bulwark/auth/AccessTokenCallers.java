package dev.bulwark.auth;

import dev.bulwark.http.ApiException;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Authenticates {@code Access.USER} routes: reads {@code Authorization: Bearer <jwt>}, verifies it (CPU only, no
 * I/O) and puts the {@link Principal} on the context. Revocation is checked next, by the gate, in the request's one
 * Redis round trip.
 */
public final class AccessTokenHandler implements Handler<RoutingContext> {
  private static final int MAX_TOKEN_LENGTH = 4096;

  private final AccessTokens tokens;

  public AccessTokenHandler(AccessTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String token;
    try {
      token = bearerToken(ctx.request().getHeader("Authorization"));
    } catch (ApiException e) {
      ctx.fail(e);
      return;
    }
    tokens.verify(token)
        .onSuccess(principal -> {
          principal.attach(ctx);
          ctx.next();
        })
        .onFailure(ctx::fail);
  }

  static String bearerToken(String header) {
    if (header == null || header.isBlank()) {
      throw ApiException.unauthorized("missing_token", "An access token is required: Authorization: Bearer <token>.");
    }
    if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw ApiException.unauthorized("invalid_authorization_header", "The Authorization header must use the Bearer scheme.");
    }
    String token = header.substring(7).trim();
    if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH || !isTokenSyntax(token)) {
      throw ApiException.unauthorized("invalid_authorization_header", "The bearer token is malformed.");
    }
    return token;
  }

  private static boolean isTokenSyntax(String token) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '=';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
