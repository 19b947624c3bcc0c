package dev.bulwark.auth;

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
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The second factor: enrolment and management under {@code /me/mfa}, the second step of a login
 * ({@code /auth/mfa/verify}) and step-up of a signed-in session ({@code /auth/mfa/step-up}). Codes
 * are checked for shape here, before any I/O.
 */
public final class MfaRoutes implements RouteModule {
  static final String ME = "/api/v1/me/mfa";
  static final String FACTOR = ME + "/totp/:id";

  /**
   * The routes a token limited to enrolment may call (see {@link Assurance#ENROLMENT_ONLY}), as the
   * route paths are declared: enrol, activate, see the factors, step up once active, log out.
   */
  static final Set<String> ENROLMENT_ROUTES =
      Set.of(ME, ME + "/totp", FACTOR + "/activate", StepUp.STEP_UP_PATH, "/api/v1/auth/logout");

  private static final int MAX_PASSWORD_CHARS = 1024;

  private final MfaService mfa;

  public MfaRoutes(MfaService mfa) {
    this.mfa = mfa;
  }

  @Override
  public void mount(ApiRouter api) {
    api.route(HttpMethod.GET, ME, Access.USER, this::status);
    api.route(HttpMethod.POST, ME + "/totp", Access.USER, this::enrol);
    api.route(HttpMethod.POST, FACTOR + "/activate", Access.USER, this::activate);
    api.route(HttpMethod.DELETE, FACTOR, Access.USER, this::remove);
    api.route(HttpMethod.POST, ME + "/recovery-codes", Access.USER, this::regenerate);
    api.route(HttpMethod.POST, "/api/v1/auth/mfa/verify", Access.PUBLIC, this::verify);
    api.route(HttpMethod.POST, StepUp.STEP_UP_PATH, Access.USER, this::stepUp);
  }

  private void status(RoutingContext ctx) {
    mfa.status(Principal.of(ctx))
        .onSuccess(
            status -> {
              JsonArray factors = new JsonArray();
              for (MfaRepository.FactorView f : status.factors()) {
                factors.add(
                    new JsonObject()
                        .put("id", f.id().toString())
                        .put("type", f.kind())
                        .put("status", f.activatedAt() == null ? "pending" : "active")
                        .put("created_at", Timestamps.format(f.createdAt()))
                        .put(
                            "activated_at",
                            f.activatedAt() == null ? null : Timestamps.format(f.activatedAt()))
                        .put(
                            "last_used_at",
                            f.lastUsedAt() == null ? null : Timestamps.format(f.lastUsedAt()))
                        .put(
                            "expires_at",
                            f.pendingUntil() == null ? null : Timestamps.format(f.pendingUntil())));
              }
              json(
                  ctx,
                  200,
                  new JsonObject()
                      .put("factors", factors)
                      .put("recovery_codes_remaining", status.recoveryCodesRemaining()));
            })
        .onFailure(ctx::fail);
  }

  private void enrol(RoutingContext ctx) {
    mfa.enrol(Principal.of(ctx), RequestInfo.of(ctx))
        .onSuccess(
            e -> {
              if (Responses.answered(ctx)) {
                return;
              }
              ctx.response().putHeader("Location", ME);
              json(
                  ctx,
                  201,
                  new JsonObject()
                      .put("factor_id", e.factorId().toString())
                      .put("secret", e.secret())
                      .put("otpauth_uri", e.otpauthUri())
                      .put("qr_svg", e.qrSvg())
                      .put("expires_at", Timestamps.format(e.expiresAt())));
            })
        .onFailure(ctx::fail);
  }

  private void activate(RoutingContext ctx) {
    UUID id = PathParams.uuid(ctx, "id");
    Fields f = new Fields(JsonBody.object(ctx), Set.of("code"));
    String code = code(f, true);
    f.validate();
    mfa.activate(Principal.of(ctx), id, code, RequestInfo.of(ctx))
        .onSuccess(codes -> json(ctx, 200, recoveryCodes(codes)))
        .onFailure(ctx::fail);
  }

  /** Needs the password and a current code of the factor (and level 2, see {@link StepUp}). */
  private void remove(RoutingContext ctx) {
    UUID id = PathParams.uuid(ctx, "id");
    Fields f = new Fields(JsonBody.object(ctx), Set.of("password", "code"));
    String password = password(f);
    String code = code(f, true);
    f.validate();
    mfa.remove(Principal.of(ctx), id, password, code, RequestInfo.of(ctx))
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

  private void regenerate(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("password"));
    String password = password(f);
    f.validate();
    mfa.regenerateRecoveryCodes(Principal.of(ctx), password, RequestInfo.of(ctx))
        .onSuccess(codes -> json(ctx, 200, recoveryCodes(codes)))
        .onFailure(ctx::fail);
  }

  private void verify(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("mfa_token", "code", "recovery_code"));
    String token = f.requiredString("mfa_token", 1, 128);
    MfaService.SecondFactor second = secondFactor(f);
    f.validate();
    mfa.verifyLogin(token, second, RequestInfo.of(ctx))
        .onSuccess(pair -> tokens(ctx, pair))
        .onFailure(ctx::fail);
  }

  private void stepUp(RoutingContext ctx) {
    Fields f = new Fields(JsonBody.object(ctx), Set.of("code", "recovery_code"));
    MfaService.SecondFactor second = secondFactor(f);
    f.validate();
    mfa.stepUp(Principal.of(ctx), second, RequestInfo.of(ctx))
        .onSuccess(pair -> tokens(ctx, pair))
        .onFailure(ctx::fail);
  }

  /** Exactly one of {@code code} and {@code recovery_code}, each of its shape. */
  private static MfaService.SecondFactor secondFactor(Fields f) {
    boolean hasCode = f.has("code");
    boolean hasRecovery = f.has("recovery_code");
    if (hasCode == hasRecovery) {
      f.error(
          hasCode ? "recovery_code" : "code",
          "one_second_factor",
          "Send exactly one of 'code' and 'recovery_code'.");
      return null;
    }
    if (hasCode) {
      return new MfaService.SecondFactor(code(f, true), null);
    }
    String raw = f.requiredString("recovery_code", 1, 64);
    if (raw != null && RecoveryCodes.normalize(raw) == null) {
      f.error(
          "recovery_code",
          "invalid_recovery_code_format",
          "'recovery_code' must be a recovery code as shown at activation (16 letters and digits).");
    }
    return new MfaService.SecondFactor(null, raw);
  }

  private static String code(Fields f, boolean required) {
    String code =
        required ? f.requiredString("code", 1, 64) : f.optionalString("code", 1, 64, false);
    if (code != null && !Totp.wellFormed(code)) {
      f.error("code", "invalid_code_format", "'code' must be the 6 digits the app shows.");
      return null;
    }
    return code;
  }

  private static String password(Fields f) {
    String raw = f.requiredString("password", 1, MAX_PASSWORD_CHARS);
    return raw == null ? null : PasswordPolicy.normalize(raw);
  }

  private static JsonObject recoveryCodes(List<String> codes) {
    return new JsonObject().put("recovery_codes", new JsonArray(codes));
  }

  private static void tokens(RoutingContext ctx, TokenPair pair) {
    if (Responses.answered(ctx)) {
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-store");
    Responses.json(ctx, 200, pair.toBuffer());
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (Responses.answered(ctx)) {
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-store");
    Responses.json(ctx, status, body);
  }
}
