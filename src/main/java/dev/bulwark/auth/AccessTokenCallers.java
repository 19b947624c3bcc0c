package dev.bulwark.auth;

import dev.bulwark.core.Failure;
import dev.bulwark.ratelimit.Caller;
import dev.bulwark.ratelimit.CallerSource;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Recognises the caller of {@code Access.USER} routes: reads {@code Authorization: Bearer <jwt>}
 * and verifies it (CPU only, no I/O). The gate counts the request against its address before
 * answering a bad token, reads the token's revocation markers in the same round trip, and puts the
 * {@link Principal} on the context once admitted.
 */
public final class AccessTokenCallers implements CallerSource {
  private static final int MAX_TOKEN_LENGTH = 4096;

  private final AccessTokens tokens;
  private final Revocations revocations;

  public AccessTokenCallers(AccessTokens tokens, Revocations revocations) {
    this.tokens = tokens;
    this.revocations = revocations;
  }

  @Override
  public Future<Caller> identify(RoutingContext ctx) {
    String token;
    try {
      token = bearerToken(ctx.request().getHeader("Authorization"));
    } catch (Failure e) {
      return Future.failedFuture(e);
    }
    return tokens.verify(token).map(AccessTokenCaller::new);
  }

  /** A verified access token: its user's limits, and its revocation markers. */
  private final class AccessTokenCaller implements Caller {
    private final Principal principal;

    AccessTokenCaller(Principal principal) {
      this.principal = principal;
    }

    @Override
    public String userId() {
      return principal.userId().toString();
    }

    @Override
    public String sessionId() {
      return principal.sessionId().toString();
    }

    @Override
    public List<String> checkKeys() {
      return Revocations.keys(principal);
    }

    @Override
    public Future<Void> verdict(List<String> values) {
      return revocations.verdict(principal, values);
    }

    @Override
    public Future<Void> verdictWithoutRedis() {
      return revocations.verdictWithoutRedis(principal);
    }

    @Override
    public void admit(RoutingContext ctx) {
      principal.attach(ctx);
    }
  }

  static String bearerToken(String header) {
    if (header == null || header.isBlank()) {
      throw Failure.unauthenticated(
          "missing_token", "An access token is required: Authorization: Bearer <token>.");
    }
    if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw Failure.unauthenticated(
          "invalid_authorization_header", "The Authorization header must use the Bearer scheme.");
    }
    String token = header.substring(7).trim();
    if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH || !isTokenSyntax(token)) {
      throw Failure.unauthenticated(
          "invalid_authorization_header", "The bearer token is malformed.");
    }
    return token;
  }

  private static boolean isTokenSyntax(String token) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.'
              || c == '=';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
