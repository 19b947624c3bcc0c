package dev.bulwark.auth;

import dev.bulwark.config.JwtConfig;
import dev.bulwark.core.Failure;
import dev.bulwark.core.FieldError;
import dev.bulwark.core.Timestamps;
import dev.bulwark.http.Access;
import dev.bulwark.http.ApiRouter;
import dev.bulwark.http.Fields;
import dev.bulwark.http.JsonBody;
import dev.bulwark.http.PathParams;
import dev.bulwark.http.Responses;
import dev.bulwark.http.RouteModule;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.UUID;

/** Accounts and sessions: parse and validate, call one service method, answer. */
public final class AuthRoutes implements RouteModule {
  private static final Set<String> SIGNUP_FIELDS =
      Set.of("email", "password", "display_name", "device_name");
  private static final Set<String> LOGIN_FIELDS =
      Set.of("email", "password", "device_name", "device_token");
  private static final int MAX_DEVICE_TOKEN = 256;
  private static final int MAX_PASSWORD_CHARS = 1024;
  private static final int MAX_NAME = 100;

  private final AccountService accounts;
  private final SessionService sessions;
  private final Jwks jwks;

  public AuthRoutes(AccountService accounts, SessionService sessions, JwtConfig jwt) {
    this.accounts = accounts;
    this.sessions = sessions;
    this.jwks = new Jwks(jwt);
  }

  @Override
  public void mount(ApiRouter api) {
    api.route(HttpMethod.GET, "/.well-known/jwks.json", Access.PUBLIC, jwks::handle);
    api.route(HttpMethod.POST, "/api/v1/auth/signup", Access.PUBLIC, this::signup);
    api.route(HttpMethod.POST, "/api/v1/auth/login", Access.PUBLIC, this::login);
    api.route(HttpMethod.POST, "/api/v1/auth/refresh", Access.REFRESH_TOKEN, this::refresh);
    api.route(HttpMethod.POST, "/api/v1/auth/logout", Access.USER, this::logout);
    api.route(HttpMethod.POST, "/api/v1/auth/logout-all", Access.USER, this::logoutAll);
    api.route(HttpMethod.GET, "/api/v1/auth/sessions", Access.USER, this::listSessions);
    api.route(HttpMethod.DELETE, "/api/v1/auth/sessions/:id", Access.USER, this::endSession);
    api.route(HttpMethod.GET, "/api/v1/me", Access.USER, this::me);
    api.route(HttpMethod.PATCH, "/api/v1/me", Access.USER, this::updateMe);
    api.route(HttpMethod.POST, "/api/v1/me/password", Access.USER, this::changePassword);
    api.route(HttpMethod.DELETE, "/api/v1/me", Access.USER, this::deleteMe);
  }

  private void signup(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), SIGNUP_FIELDS);
    String email = email(f);
    String password = newPassword(f, "password");
    String displayName = name(f, "display_name");
    String device = deviceName(f, ctx);
    f.validate();
    if (accounts.verifyFirst()) {
      // the same answer for a new address and a taken one: signup tells nobody who has an account
      accounts
          .signupVerifyFirst(
              new AccountService.Signup(email, password, displayName, device), RequestInfo.of(ctx))
          .onSuccess(v -> IdentityRoutes.accepted(ctx))
          .onFailure(ctx::fail);
      return;
    }
    accounts
        .signup(
            new AccountService.Signup(email, password, displayName, device), RequestInfo.of(ctx))
        .onSuccess(
            pair -> {
              if (Responses.answered(ctx)) {
                return;
              }
              ctx.response().putHeader("Location", "/api/v1/me");
              tokens(ctx, 201, pair);
            })
        .onFailure(ctx::fail);
  }

  private void login(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), LOGIN_FIELDS);
    String email = email(f);
    String password = password(f, "password");
    String device = deviceName(f, ctx);
    // a wrong, stale or forged device token is just no proof: never an error, so it tells nothing
    String deviceToken = f.optionalString("device_token", 1, MAX_DEVICE_TOKEN, true);
    f.validate();
    accounts
        .login(new AccountService.Login(email, password, device, deviceToken), RequestInfo.of(ctx))
        .onSuccess(pair -> tokens(ctx, 200, pair))
        .onFailure(ctx::fail);
  }

  private void refresh(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("refresh_token"));
    String token = f.requiredString("refresh_token", 1, 512);
    f.validate();
    if (!RefreshTokens.looksValid(token)) {
      throw Failure.unauthenticated("invalid_refresh_token", "The refresh token is not valid.");
    }
    accounts
        .refresh(token, RequestInfo.of(ctx))
        .onSuccess(pair -> tokens(ctx, 200, pair))
        .onFailure(ctx::fail);
  }

  private void logout(RoutingContext ctx) {
    sessions
        .logout(Principal.of(ctx), RequestInfo.of(ctx))
        .onSuccess(v -> noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void logoutAll(RoutingContext ctx) {
    sessions
        .logoutAll(Principal.of(ctx), RequestInfo.of(ctx))
        .onSuccess(v -> noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void listSessions(RoutingContext ctx) {
    Principal p = Principal.of(ctx);
    sessions
        .list(p)
        .onSuccess(
            list -> {
              JsonArray items = new JsonArray();
              for (SessionRepository.SessionView s : list) {
                items.add(
                    new JsonObject()
                        .put("id", s.id().toString())
                        .put("device_name", s.deviceName())
                        .put("ip", s.ip())
                        .put("created_at", Timestamps.format(s.createdAt()))
                        .put("last_used_at", Timestamps.format(s.lastUsedAt()))
                        .put("expires_at", Timestamps.format(s.expiresAt()))
                        .put("current", s.id().equals(p.sessionId())));
              }
              json(ctx, 200, new JsonObject().put("items", items));
            })
        .onFailure(ctx::fail);
  }

  private void endSession(RoutingContext ctx) {
    UUID id = PathParams.uuid(ctx, "id");
    sessions
        .end(Principal.of(ctx), id, RequestInfo.of(ctx))
        .onSuccess(v -> noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void me(RoutingContext ctx) {
    accounts
        .profile(Principal.of(ctx))
        .onSuccess(profile -> json(ctx, 200, profileJson(profile)))
        .onFailure(ctx::fail);
  }

  private void updateMe(RoutingContext ctx) {
    Fields f =
        new Fields(
            JsonBody.object(ctx),
            Set.of("display_name"),
            Set.of("id", "email", "created_at", "updated_at", "role", "disabled"));
    if (!f.has("display_name") && f.errors().isEmpty()) {
      f.error("display_name", "required", "Send at least one field to change: display_name.");
    }
    String displayName = f.optionalString("display_name", 1, MAX_NAME, true);
    f.validate();
    accounts
        .updateProfile(
            Principal.of(ctx),
            displayName == null || displayName.isBlank() ? null : displayName.trim())
        .onSuccess(profile -> json(ctx, 200, profileJson(profile)))
        .onFailure(ctx::fail);
  }

  /** Re-authenticates with the password in the body; 204 once everything is gone. */
  private void deleteMe(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("password"));
    String password = password(f, "password");
    f.validate();
    accounts
        .deleteAccount(Principal.of(ctx), password, RequestInfo.of(ctx))
        .onSuccess(v -> noContent(ctx))
        .onFailure(ctx::fail);
  }

  private void changePassword(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("current_password", "new_password"));
    String current = password(f, "current_password");
    String replacement = newPassword(f, "new_password");
    if (current != null && current.equals(replacement)) {
      f.error(
          "new_password",
          "password_unchanged",
          "The new password must differ from the current one.");
    }
    f.validate();
    accounts
        .changePassword(Principal.of(ctx), current, replacement, RequestInfo.of(ctx))
        .onSuccess(pair -> tokens(ctx, 200, pair))
        .onFailure(ctx::fail);
  }

  private static String email(Fields f) {
    String raw = f.requiredString("email", 1, 320);
    if (raw == null) {
      return null;
    }
    String email = Emails.normalize(raw);
    if (email == null) {
      f.error("email", "invalid_email", "'email' must be a valid email address.");
    }
    return email;
  }

  /**
   * A password as typed, in Unicode NFKC, so the same characters typed on another keyboard still
   * match.
   */
  private static String password(Fields f, String field) {
    String raw = f.requiredString(field, 1, MAX_PASSWORD_CHARS);
    return raw == null ? null : PasswordPolicy.normalize(raw);
  }

  private static String newPassword(Fields f, String field) {
    String password = password(f, field);
    if (password == null) {
      return null;
    }
    FieldError problem = PasswordPolicy.check(field, password);
    if (problem != null) {
      f.error(problem.field(), problem.code(), problem.message());
      return null;
    }
    return password;
  }

  private static String name(Fields f, String field) {
    String name = f.optionalString(field, 1, MAX_NAME, true);
    return name == null || name.isBlank() ? null : name.trim();
  }

  /** The device a session is shown as: what the app says, else its User-Agent. */
  private static String deviceName(Fields f, RoutingContext ctx) {
    String named = name(f, "device_name");
    if (named != null) {
      return named;
    }
    String ua = ctx.request().getHeader("User-Agent");
    return ua == null || ua.isBlank() ? null : ua.substring(0, Math.min(ua.length(), MAX_NAME));
  }

  private static JsonObject profileJson(UserRepository.Profile p) {
    return new JsonObject()
        .put("id", p.id().toString())
        .put("email", p.email())
        .put("display_name", p.displayName())
        .put("role", p.role())
        .put("created_at", Timestamps.format(p.createdAt()))
        .put("updated_at", Timestamps.format(p.updatedAt()))
        .put("email_verified", p.emailVerified())
        .put("phone", p.phone());
  }

  private static void tokens(RoutingContext ctx, int status, SignInAnswer pair) {
    if (Responses.answered(ctx)) {
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-store");
    Responses.json(ctx, status, pair.toBuffer());
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (Responses.answered(ctx)) {
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-store");
    Responses.json(ctx, status, body);
  }

  private static void noContent(RoutingContext ctx) {
    if (Responses.answered(ctx)) {
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-store");
    Responses.noContent(ctx);
  }
}
