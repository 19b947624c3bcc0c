package dev.bulwark;

import dev.bulwark.auth.AccessTokenHandler;
import dev.bulwark.auth.AccessTokens;
import dev.bulwark.auth.AccountService;
import dev.bulwark.auth.AuthRoutes;
import dev.bulwark.auth.DeviceTokens;
import dev.bulwark.auth.LoginThrottle;
import dev.bulwark.auth.RefreshRotation;
import dev.bulwark.auth.RefreshTokens;
import dev.bulwark.auth.Revocations;
import dev.bulwark.auth.SessionLifetime;
import dev.bulwark.auth.SessionService;
import dev.bulwark.auth.TokenIssuer;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.http.ApiRouter;
import dev.bulwark.http.ClientAddress;
import dev.bulwark.tasks.TaskRoutes;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;

/**
 * Wires the feature packages into the route table for one HTTP verticle instance: which handler authenticates,
 * which gate runs the per-request Redis round trip, and each feature's routes.
 */
final class FeatureSet implements ApiRouter.Features {
  private final AccessTokens accessTokens;
  private final Revocations revocations;
  private final AuthRoutes authRoutes;
  private final TaskRoutes taskRoutes;
  private final Services services;

  FeatureSet(Vertx vertx, Services services) {
    this.services = services;
    BulwarkConfig config = services.config();
    this.accessTokens = new AccessTokens(vertx, config.jwt());
    this.revocations = new Revocations(services.redis(), config);
    RefreshTokens refreshTokens = new RefreshTokens(config.jwt().secret());
    Clock clock = Clock.systemUTC();
    TokenIssuer issuer = new TokenIssuer(accessTokens, refreshTokens, revocations, config, clock);
    RefreshRotation rotation = new RefreshRotation(services.pg(), refreshTokens, SessionLifetime.of(config.auth()),
        config.auth().refreshReuseGrace().toSeconds(), clock);
    LoginThrottle throttle = new LoginThrottle(services.redis(), config.auth(), config.redis().commandTimeout().toMillis());
    DeviceTokens devices = new DeviceTokens(config.jwt().secret(), config.auth().deviceTokenValidity(), clock);
    AccountService accounts = new AccountService(services.pg(), services.hasher(), issuer, rotation, throttle, devices,
        revocations);
    this.authRoutes = new AuthRoutes(accounts, new SessionService(services.pg(), revocations), config.jwt());
    this.taskRoutes = new TaskRoutes(vertx, services);
  }

  @Override
  public Handler<RoutingContext> authenticate() {
    return new AccessTokenHandler(accessTokens);
  }

  @Override
  public Handler<RoutingContext> gate() {
    return services.rateLimit() != null ? services.rateLimit() : revocations.gate();
  }

  @Override
  public ClientAddress clientAddress() {
    return services.clients();
  }

  @Override
  public void mount(ApiRouter api) {
    authRoutes.mount(api);
    taskRoutes.mount(api);
  }
}
