package dev.bulwark.auth;

import dev.bulwark.core.FieldError;
import dev.bulwark.http.Access;
import dev.bulwark.http.ApiRouter;
import dev.bulwark.http.Fields;
import dev.bulwark.http.JsonBody;
import dev.bulwark.http.Responses;
import dev.bulwark.http.RouteModule;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * Email verification and password reset. The request endpoints answer 202 with one body whatever
 * the address; no answer ever carries a token.
 */
public final class IdentityRoutes implements RouteModule {
  private static final int MAX_TOKEN = 512;
  private static final int MAX_PASSWORD_CHARS = 1024;
  static final JsonObject ACCEPTED =
      new JsonObject()
          .put("status", "accepted")
          .put(
              "message",
              "If an account uses this address, a message is on its way. Check your email.");

  private final EmailFlows flows;

  public IdentityRoutes(EmailFlows flows) {
    this.flows = flows;
  }

  @Override
  public void mount(ApiRouter api) {
    api.route(HttpMethod.POST, "/api/v1/auth/email/verify", Access.PUBLIC, this::verify);
    api.route(HttpMethod.POST, "/api/v1/auth/email/resend", Access.PUBLIC, this::resend);
    api.route(HttpMethod.POST, "/api/v1/auth/password/forgot", Access.PUBLIC, this::forgot);
    api.route(HttpMethod.POST, "/api/v1/auth/password/reset", Access.PUBLIC, this::reset);
  }

  private void verify(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("token"));
    String token = f.requiredString("token", 1, MAX_TOKEN);
    f.validate();
    flows.verify(token, RequestInfo.of(ctx)).onSuccess(v -> noContent(ctx)).onFailure(ctx::fail);
  }

  private void resend(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("email"));
    String email = email(f);
    f.validate();
    flows
        .requestVerification(email, RequestInfo.of(ctx))
        .onSuccess(v -> accepted(ctx))
        .onFailure(ctx::fail);
  }

  private void forgot(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("email"));
    String email = email(f);
    f.validate();
    flows
        .requestReset(email, RequestInfo.of(ctx))
        .onSuccess(v -> accepted(ctx))
        .onFailure(ctx::fail);
  }

  private void reset(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("token", "new_password"));
    String token = f.requiredString("token", 1, MAX_TOKEN);
    String raw = f.requiredString("new_password", 1, MAX_PASSWORD_CHARS);
    String password = raw == null ? null : PasswordPolicy.normalize(raw);
    if (password != null) {
      FieldError problem = PasswordPolicy.check("new_password", password);
      if (problem != null) {
        f.error(problem.field(), problem.code(), problem.message());
      }
    }
    f.validate();
    flows
        .reset(token, password, RequestInfo.of(ctx))
        .onSuccess(v -> noContent(ctx))
        .onFailure(ctx::fail);
  }

  static String email(Fields f) {
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

  static void accepted(RoutingContext ctx) {
    if (Responses.answered(ctx)) {
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-store");
    Responses.json(ctx, 202, ACCEPTED);
  }

  private static void noContent(RoutingContext ctx) {
    if (Responses.answered(ctx)) {
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-store");
    Responses.noContent(ctx);
  }
}
