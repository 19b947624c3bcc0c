package dev.bulwark.auth;

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
 * Phone sign-in and phone linking. A code request answers 202 {@code {expires_in, resend_after}}
 * whether or not the number has an account; no answer carries a code.
 */
public final class PhoneRoutes implements RouteModule {
  private static final int MAX_NAME = 100;

  private final PhoneSignIn phones;
  private final PhoneNumbers numbers;

  public PhoneRoutes(PhoneSignIn phones, PhoneNumbers numbers) {
    this.phones = phones;
    this.numbers = numbers;
  }

  @Override
  public void mount(ApiRouter api) {
    api.route(HttpMethod.POST, "/api/v1/auth/otp/request", Access.PUBLIC, this::request);
    api.route(HttpMethod.POST, "/api/v1/auth/otp/verify", Access.PUBLIC, this::verify);
    api.route(HttpMethod.POST, "/api/v1/me/phone", Access.USER, this::requestLink);
    api.route(HttpMethod.POST, "/api/v1/me/phone/verify", Access.USER, this::verifyLink);
  }

  private void request(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("phone"));
    String phone = phone(f);
    f.validate();
    phones
        .request(phone, null, RequestInfo.of(ctx))
        .onSuccess(issued -> issued(ctx, issued))
        .onFailure(ctx::fail);
  }

  private void verify(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("phone", "code", "device_name"));
    String phone = phone(f);
    String code = f.requiredString("code", 1, 16);
    String named = f.optionalString("device_name", 1, MAX_NAME, true);
    f.validate();
    String device = named == null || named.isBlank() ? userAgent(ctx) : named.trim();
    phones
        .verify(phone, code, device, RequestInfo.of(ctx))
        .onSuccess(
            pair -> {
              if (Responses.answered(ctx)) {
                return;
              }
              ctx.response().putHeader("Cache-Control", "no-store");
              Responses.json(ctx, 200, pair.toBuffer());
            })
        .onFailure(ctx::fail);
  }

  private void requestLink(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("phone"));
    String phone = phone(f);
    f.validate();
    phones
        .request(phone, Principal.of(ctx).userId(), RequestInfo.of(ctx))
        .onSuccess(issued -> issued(ctx, issued))
        .onFailure(ctx::fail);
  }

  private void verifyLink(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("phone", "code"));
    String phone = phone(f);
    String code = f.requiredString("code", 1, 16);
    f.validate();
    phones
        .link(Principal.of(ctx), phone, code, RequestInfo.of(ctx))
        .onSuccess(
            v -> {
              if (Responses.answered(ctx)) {
                return;
              }
              ctx.response().putHeader("Cache-Control", "no-store");
              Responses.noContent(ctx);
            })
        .onFailure(ctx::fail);
  }

  private String phone(Fields f) {
    String raw = f.requiredString("phone", 1, 64);
    if (raw == null) {
      return null;
    }
    PhoneNumbers.Parsed parsed = numbers.parse("phone", raw);
    if (parsed.problem() != null) {
      f.error(parsed.problem().field(), parsed.problem().code(), parsed.problem().message());
      return null;
    }
    return parsed.e164();
  }

  private static String userAgent(RoutingContext ctx) {
    String ua = ctx.request().getHeader("User-Agent");
    return ua == null || ua.isBlank() ? null : ua.substring(0, Math.min(ua.length(), MAX_NAME));
  }

  private static void issued(RoutingContext ctx, PhoneSignIn.Issued issued) {
    if (Responses.answered(ctx)) {
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-store");
    Responses.json(
        ctx,
        202,
        new JsonObject()
            .put("expires_in", issued.expiresIn())
            .put("resend_after", issued.resendAfter()));
  }
}
