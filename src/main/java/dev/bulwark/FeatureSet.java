package dev.bulwark;

import dev.bulwark.admin.AccountExport;
import dev.bulwark.admin.AdminRoutes;
import dev.bulwark.attachments.AttachmentRoutes;
import dev.bulwark.attachments.AttachmentService;
import dev.bulwark.attachments.BlobStores;
import dev.bulwark.auth.AccessTokenCallers;
import dev.bulwark.auth.AccessTokens;
import dev.bulwark.auth.AccountService;
import dev.bulwark.auth.AuthRoutes;
import dev.bulwark.auth.DeviceTokens;
import dev.bulwark.auth.EmailFlows;
import dev.bulwark.auth.IdentityRoutes;
import dev.bulwark.auth.LoginThrottle;
import dev.bulwark.auth.MfaChallenges;
import dev.bulwark.auth.MfaRoutes;
import dev.bulwark.auth.MfaService;
import dev.bulwark.auth.OtpCodes;
import dev.bulwark.auth.PhoneNumbers;
import dev.bulwark.auth.PhoneRoutes;
import dev.bulwark.auth.PhoneSignIn;
import dev.bulwark.auth.RefreshRotation;
import dev.bulwark.auth.RefreshTokenCallers;
import dev.bulwark.auth.RefreshTokens;
import dev.bulwark.auth.SessionLifetime;
import dev.bulwark.auth.SessionService;
import dev.bulwark.auth.StepUp;
import dev.bulwark.auth.TokenIssuer;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.Environment;
import dev.bulwark.core.FixedTimeouts;
import dev.bulwark.http.Access;
import dev.bulwark.http.ApiRouter;
import dev.bulwark.http.Endpoint;
import dev.bulwark.http.HttpServerMeters;
import dev.bulwark.http.RouteModule;
import dev.bulwark.infra.Metrics;
import dev.bulwark.infra.MultiplexedRedis;
import dev.bulwark.infra.PostgresPool;
import dev.bulwark.infra.RedisConnector;
import dev.bulwark.ops.DocsRoutes;
import dev.bulwark.ops.MetricsRoute;
import dev.bulwark.ops.OpsRoutes;
import dev.bulwark.ops.Readiness;
import dev.bulwark.ratelimit.CallerSource;
import dev.bulwark.tasks.TaskCursors;
import dev.bulwark.tasks.TaskRoutes;
import dev.bulwark.tasks.TaskService;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The composition root's per-verticle half: builds, on one HTTP verticle's event loop, every
 * feature with the narrow inputs it needs (a pool, a Redis client, its config record, a clock), the
 * gate of each access level, and the route modules in the order they are mounted. The process-wide
 * half is {@link Bulwark}. The verticle's PostgreSQL pool and Redis client are created once, at the
 * top of the constructor, on this verticle's event loop: its share of the configured connections,
 * so a request's queries and script calls never leave the loop that serves it (see
 * docs/ARCHITECTURE.md, "Hot-path rules"). {@link #close} releases them.
 */
final class FeatureSet implements Endpoint {
  private final Router router;
  private final Vertx vertx;
  private final long lagProbe;
  private final Pool pg;
  private final SqlClient reads;
  private final Redis redis;
  private final MultiplexedRedis gateRedis;
  private final HttpServerMeters httpMeters;

  FeatureSet(Vertx vertx, Bulwark root) {
    this.httpMeters = root.httpMeters();
    this.vertx = vertx;
    BulwarkConfig config = root.config();
    int verticles = config.http().instances();
    this.pg =
        PostgresPool.create(
            vertx,
            config.database(),
            "bulwark-pg",
            config.database().poolSizePerVerticle(verticles),
            config.database().maxWaitQueuePerVerticle(verticles));
    // the hot path's single-statement reads: pipelined, so a burst of them wakes one backend per
    // connection rather than one per query (see docs/ARCHITECTURE.md, "Hot-path rules")
    int readConnections = config.database().readConnectionsPerVerticle(verticles);
    this.reads =
        readConnections == 0
            ? pg
            : PostgresPool.createPipelined(
                vertx,
                config.database(),
                "bulwark-pg-reads",
                readConnections,
                config.database().maxWaitQueuePerVerticle(verticles));
    this.redis =
        RedisConnector.create(
            vertx,
            config.redis(),
            // + 1: the connection the gate keeps for its pipelined calls
            config.redis().poolSizePerVerticle(verticles) + 1,
            config.redis().maxWaitingPerVerticle(verticles));
    // the gate's one script call per request: pipelined on one connection, no pool lease per call
    this.gateRedis =
        new MultiplexedRedis(
            redis, new FixedTimeouts(vertx, config.redis().commandTimeout().toMillis()));
    Clock clock = root.clock();

    AccessTokens accessTokens = new AccessTokens(vertx, config.jwt(), config.auth().roles());
    AccessTokenCallers accessTokenCallers =
        new AccessTokenCallers(accessTokens, root.revocations());
    RefreshTokenCallers refreshTokenCallers = new RefreshTokenCallers(pg);
    RefreshTokens refreshTokens = new RefreshTokens(config.jwt().secret());
    TokenIssuer issuer =
        new TokenIssuer(accessTokens, refreshTokens, root.revocations(), config, clock);
    RefreshRotation rotation =
        new RefreshRotation(
            pg,
            refreshTokens,
            SessionLifetime.of(config.auth()),
            config.auth().refreshReuseGrace().toSeconds(),
            clock);
    LoginThrottle throttle =
        new LoginThrottle(redis, config.auth(), config.redis().commandTimeout().toMillis());
    DeviceTokens devices =
        new DeviceTokens(config.jwt().secret(), config.auth().deviceTokenValidity(), clock);
    EmailFlows emailFlows = root.emailFlows(redis);
    StepUp stepUp = new StepUp(pg);
    MfaChallenges challenges = new MfaChallenges(clock);
    AccountService accounts =
        new AccountService(
            pg,
            root.hasher(),
            issuer,
            rotation,
            throttle,
            devices,
            root.revocations(),
            config.auth().roles(),
            emailFlows,
            challenges,
            stepUp,
            config.mfa().requiredForRoles());
    AuthRoutes auth =
        new AuthRoutes(accounts, new SessionService(pg, root.revocations(), stepUp), config.jwt());
    MfaRoutes mfa =
        new MfaRoutes(
            new MfaService(
                pg,
                config.mfa(),
                config.identity(),
                issuer,
                devices,
                stepUp,
                accounts::reauthenticate,
                config.auth().roles(),
                clock));

    AdminRoutes admin =
        new AdminRoutes(
            pg,
            root.hasher(),
            root.revocations(),
            config.auth().roles(),
            config.jwt().secret(),
            stepUp);

    TaskCursors cursors = new TaskCursors(config.jwt().secret());
    TaskRoutes tasks = new TaskRoutes(new TaskService(pg, reads, config.tasks(), cursors), cursors);

    OpsRoutes ops =
        new OpsRoutes(
            new Readiness(vertx, pg, redis, config.database().healthTimeout().toMillis()),
            root::draining,
            new OpsRoutes.Status(
                config.environment().id(),
                config.rateLimit().enabled(),
                config.docsEnabled(),
                root.embeddedServices(),
                root.startedAtMillis()));

    List<RouteModule> modules = new ArrayList<>();
    modules.add(ops);
    if (config.metrics().onApiPort()) {
      MetricsRoute metrics = new MetricsRoute(root.metricsRegistry(), config.metrics().token());
      modules.add(api -> api.route(HttpMethod.GET, "/metrics", Access.OPS, metrics));
    }
    if (config.docsEnabled()) {
      modules.add(new DocsRoutes());
    }
    modules.add(auth);
    modules.add(mfa);
    modules.add(new AccountExport(pg));
    modules.add(admin);
    modules.add(new IdentityRoutes(emailFlows));
    long redisTimeout = config.redis().commandTimeout().toMillis();
    PhoneSignIn phones =
        new PhoneSignIn(
            pg,
            root.hasher(),
            issuer,
            new OtpCodes(redis, config.phone(), config.auth().passwordPepper(), redisTimeout),
            redis,
            redisTimeout,
            config.phone(),
            config.auth().roles(),
            challenges);
    modules.add(new PhoneRoutes(phones, new PhoneNumbers(config.phone().allowedCountries())));
    modules.add(tasks);
    modules.add(
        new AttachmentRoutes(
            new AttachmentService(
                pg,
                BlobStores.create(vertx, config.storage()),
                config.storage(),
                config.tasks().idempotencyTtl())));

    ApiRouter.Platform platform =
        new ApiRouter.Platform(
            config.http(),
            config.environment() == Environment.PRODUCTION,
            config.corsOrigins(),
            root.clients(),
            root::draining,
            config.shutdown().gracePeriod(),
            access -> gate(root, gateRedis, access, accessTokenCallers, refreshTokenCallers),
            role ->
                root.gate()
                    .handler(
                        accessTokenCallers.requiring(role, config.admin().hideFromNonStaff()),
                        gateRedis),
            config.admin().hideFromNonStaff(),
            httpMeters);
    this.router = ApiRouter.create(vertx, platform, modules, root.telemetry());
    this.lagProbe = config.metrics().enabled() ? Metrics.startLagProbe(vertx) : -1;
  }

  /** Each access level's gate: one gate, told how that level's callers are recognised. */
  private static Handler<RoutingContext> gate(
      Bulwark root,
      Redis redis,
      Access access,
      AccessTokenCallers users,
      RefreshTokenCallers refreshTokens) {
    return root.gate()
        .handler(
            switch (access) {
              case USER -> users;
              case REFRESH_TOKEN -> refreshTokens;
              case PUBLIC, OPS -> CallerSource.ANONYMOUS;
            },
            redis);
  }

  @Override
  public Router router() {
    return router;
  }

  @Override
  public void connected(HttpConnection connection) {
    httpMeters.connected(connection);
  }

  @Override
  public Future<Void> close() {
    if (lagProbe != -1) {
      vertx.cancelTimer(lagProbe);
    }
    Future<Void> readsClosed = reads == pg ? Future.succeededFuture() : reads.close();
    return gateRedis
        .close()
        .transform(ar -> Future.join(redis.close(), pg.close(), readsClosed))
        .mapEmpty();
  }
}
