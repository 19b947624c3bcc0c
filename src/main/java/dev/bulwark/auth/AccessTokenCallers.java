package dev.bulwark.auth;

import dev.bulwark.core.Failure;
import dev.bulwark.core.Role;
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
 *
 * <p>{@link #requiring} gives the callers of routes that need a role: the verdict also compares the
 * token's role claim (no I/O; a role change revokes older tokens, so the claim is current). Where
 * the administration API hides itself, every refusal — no token, a bad or revoked one, too low a
 * role — is the router's own 404, so the routes cannot be told from paths that do not exist.
 */
public final class AccessTokenCallers implements CallerSource {
  private static final int MAX_TOKEN_LENGTH = 4096;

  /** Exactly what the router answers for a path it does not know. */
  static final Failure HIDDEN = Failure.notFound("No resource at this path.");

  private static final Failure ENROLMENT_REQUIRED =
      Failure.forbidden(
              "mfa_enrolment_required",
              "Your role must use a second factor: enrol one at /api/v1/me/mfa/totp, activate it,"
                  + " then step up or sign in again.")
          .withMember("enrol", MfaRoutes.ME + "/totp");

  private static final Failure INSUFFICIENT_ROLE =
      Failure.forbidden("insufficient_role", "Your role does not allow this.");

  private final AccessTokens tokens;
  private final Revocations revocations;
  private final Role required;
  private final boolean hidden;

  public AccessTokenCallers(AccessTokens tokens, Revocations revocations) {
    this(tokens, revocations, Role.USER, false);
  }

  private AccessTokenCallers(
      AccessTokens tokens, Revocations revocations, Role required, boolean hidden) {
    this.tokens = tokens;
    this.revocations = revocations;
    this.required = required;
    this.hidden = hidden;
  }

  /**
   * The callers of routes that require {@code role}; with {@code hideFromNonStaff}, callers below
   * staff get 404 for anything they get wrong.
   */
  public AccessTokenCallers requiring(Role role, boolean hideFromNonStaff) {
    return new AccessTokenCallers(tokens, revocations, role, hideFromNonStaff);
  }

  @Override
  public Future<Caller> identify(RoutingContext ctx) {
    String token;
    try {
      token = bearerToken(ctx.request().getHeader("Authorization"));
    } catch (Failure e) {
      return Future.failedFuture(hidden ? HIDDEN : e);
    }
    Future<Caller> caller =
        tokens
            .verify(token)
            .map(
                p ->
                    new AccessTokenCaller(
                        p, !p.enrolmentOnly() || enrolmentRoute(ctx.currentRoute().getPath())));
    return hidden ? caller.recover(err -> Future.failedFuture(HIDDEN)) : caller;
  }

  /**
   * Whether a token limited to enrolling a second factor may call the route declared as {@code
   * path} (a claim compared with a constant set: no I/O).
   */
  private static boolean enrolmentRoute(String path) {
    return path != null && MfaRoutes.ENROLMENT_ROUTES.contains(path);
  }

  /**
   * A revoked token, one below the required role, or one limited to enrolment off the enrolment
   * routes: the answer the route gives it.
   */
  private Future<Void> guard(Principal principal, boolean allowed, Future<Void> revocation) {
    if (!allowed) {
      boolean hide = hidden && !principal.role().atLeast(Role.STAFF);
      return revocation
          .recover(err -> Future.failedFuture(hide ? HIDDEN : err))
          .compose(v -> Future.failedFuture(hide ? HIDDEN : ENROLMENT_REQUIRED));
    }
    if (required == Role.USER) {
      return revocation;
    }
    boolean hide = hidden && !principal.role().atLeast(Role.STAFF);
    return revocation
        .recover(err -> Future.failedFuture(hide ? HIDDEN : err))
        .compose(
            v ->
                principal.role().atLeast(required)
                    ? Future.succeededFuture()
                    : Future.failedFuture(hide ? HIDDEN : INSUFFICIENT_ROLE));
  }

  /** A verified access token: its user's limits, and its revocation markers. */
  private final class AccessTokenCaller implements Caller {
    private final Principal principal;
    private final boolean allowed;

    AccessTokenCaller(Principal principal, boolean allowed) {
      this.principal = principal;
      this.allowed = allowed;
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
      return guard(principal, allowed, revocations.verdict(principal, values));
    }

    @Override
    public Future<Void> verdictWithoutRedis() {
      return guard(principal, allowed, revocations.verdictWithoutRedis(principal));
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

  /** The characters of a JWT in compact form (base64url and dots; '=' padding tolerated). */
  private static final boolean[] TOKEN_CHARS = new boolean[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      TOKEN_CHARS[c] = true;
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      TOKEN_CHARS[c] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      TOKEN_CHARS[c] = true;
    }
    for (char c : "-_.=".toCharArray()) {
      TOKEN_CHARS[c] = true;
    }
  }

  private static boolean isTokenSyntax(String token) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c >= 128 || !TOKEN_CHARS[c]) {
        return false;
      }
    }
    return true;
  }
}
