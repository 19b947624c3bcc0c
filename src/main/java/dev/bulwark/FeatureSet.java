package dev.bulwark;

import dev.bulwark.auth.AccessTokenCallers;
import dev.bulwark.auth.AccessTokens;
import dev.bulwark.auth.AccountService;
import dev.bulwark.auth.AuthRoutes;
import dev.bulwark.auth.DeviceTokens;
import dev.bulwark.auth.LoginThrottle;
import dev.bulwark.auth.RefreshRotation;
import dev.bulwark.auth.RefreshTokenCallers;
import dev.bulwark.auth.RefreshTokens;
import dev.bulwark.auth.Revocations;
import dev.bulwark.auth.SessionLifetime;
import dev.bulwark.auth.SessionService;
import dev.bulwark.auth.TokenIssuer;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.http.Access;
import dev.bulwark.http.ApiRouter;
import dev.bulwark.http.ClientAddress;
import dev.bulwark.ratelimit.CallerSource;
import dev.bulwark.tasks.TaskRoutes;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;

/**
 * Wires the feature packages into the route table for one HTTP verticle instance: how each access level's callers
 * are recognised (auth contributes them to the one gate), and each feature's routes.
 */
final class FeatureSet implements ApiRouter.Features {
  private final AccessTokenCallers accessTokenCallers;
  private final RefreshTokenCallers refreshTokenCallers;
  private final AuthRoutes authRoutes;
  private final TaskRoutes taskRoutes;
  private final Services services;

  FeatureSet(Vertx vertx, Services services) {
    this.services = services;
    BulwarkConfig config = services.config();
    AccessTokens accessTokens = new AccessTokens(vertx, config.jwt());
    Revocations revocations = services.revocations();
    this.accessTokenCallers = new AccessTokenCallers(accessTokens, revocations);
    this.refreshTokenCallers = new RefreshTokenCallers(services.pg());
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
  public Handler<RoutingContext> gate(Access access) {
    return services.rateLimit().handler(switch (access) {
      case USER -> accessTokenCallers;
      case REFRESH_TOKEN -> refreshTokenCallers;
      default -> CallerSource.ANONYMOUS;
    });
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
