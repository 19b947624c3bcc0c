package dev.bulwark;

import dev.bulwark.auth.AuditLog;
import dev.bulwark.auth.AuthRetention;
import dev.bulwark.auth.PasswordHasher;
import dev.bulwark.auth.PasswordHasherVerticle;
import dev.bulwark.auth.PasswordHashes;
import dev.bulwark.auth.RefreshSealEraser;
import dev.bulwark.auth.RequestInfo;
import dev.bulwark.auth.Revocations;
import dev.bulwark.auth.WorkerNiceness;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.Preflight;
import dev.bulwark.http.HttpServerVerticle;
import dev.bulwark.infra.Migrations;
import dev.bulwark.infra.PostgresPool;
import dev.bulwark.infra.RedisConnector;
import dev.bulwark.ops.Metrics;
import dev.bulwark.tasks.TombstonePurger;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import dev.bulwark.ops.MetricsRoute;
import dev.bulwark.http.ClientAddress;
import dev.bulwark.ratelimit.RateLimitGate;
import dev.bulwark.ratelimit.RefusalLog;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Bulwark: migrate → pools → hasher workers → HTTP verticles, and the reverse on stop. The configuration
 * must already carry both service URLs (see {@link dev.bulwark.infra.DevServices} for development).
 */
public final class Bulwark {
  private static final Logger log = LoggerFactory.getLogger(Bulwark.class);

  private final Vertx vertx;
  private final Services services;
  private String hasherDeployment;
  private String httpDeployment;
  private HttpServer managementServer;
  private TombstonePurger purger;
  private RefreshSealEraser sealEraser;
  private AuthRetention retention;
  private Future<Void> stopped;

  private Bulwark(Vertx vertx, Services services) {
    this.vertx = vertx;
    this.services = services;
  }

  /** Starts on a Vert.x created with {@link Metrics#vertx} under {@code metricsRegistry}. */
  public static Future<Bulwark> start(Vertx vertx, BulwarkConfig config, boolean embeddedServices, String metricsRegistry) {
    long started = System.currentTimeMillis();
    Preflight.warnings(config).forEach(w -> log.warn("Preflight warning: {}", w));
    return Migrations.migrate(vertx, config.database().url()).compose(applied -> {
      Pool pg = PostgresPool.create(vertx, config.database(), config.http().instances());
      Redis redis = RedisConnector.create(vertx, config.redis());
      PasswordHasher hasher = new PasswordHasher(vertx, config.hasher());
      ClientAddress clients = new ClientAddress(config.rateLimit().trustedProxies());
      RateLimitGate gate = new RateLimitGate(redis, config.rateLimit(), clients,
          config.redis().commandTimeout().toMillis(), refusalAudit(pg));
      Revocations revocations = new Revocations(redis, pg, config);
      Services services = new Services(config, pg, redis, hasher, clients, gate, revocations, embeddedServices,
          metricsRegistry, started, new AtomicBoolean());
      Metrics.bind(metricsRegistry, hasher);
      Bulwark app = new Bulwark(vertx, services);
      return revocations.repairAtStart().compose(v -> app.deploy()).recover(err -> app.closeClients().transform(ignored -> Future.failedFuture(err)));
    });
  }

  /** Rate-limit refusals in the audit trail, as every other security event. */
  private static RefusalLog refusalAudit(Pool pg) {
    return (ctx, refusal) -> AuditLog.recordAsync(pg, new AuditLog.Event("rate_limited",
        refusal.userId() == null ? null : UUID.fromString(refusal.userId()), null, RequestInfo.of(ctx))
        .with("principal", refusal.principal()).with("policy", refusal.policy()).with("limit", refusal.limit()));
  }

  private Future<Bulwark> deploy() {
    BulwarkConfig config = services.config();
    // bcrypt gets a pool of its own: it cannot starve executeBlocking work, and its threads can be niced alone
    DeploymentOptions workers = new DeploymentOptions()
        .setThreadingModel(ThreadingModel.WORKER)
        .setInstances(config.hasher().instances())
        .setWorkerPoolName("bulwark-bcrypt")
        .setWorkerPoolSize(config.hasher().instances());
    WorkerNiceness niceness = new WorkerNiceness(config.hasher().niceness());
    PasswordHashes hashes = new PasswordHashes(config.auth().passwordPepper(), config.hasher().rounds());
    return vertx.deployVerticle(() -> new PasswordHasherVerticle(hashes, niceness), workers)
        .compose(id -> {
          hasherDeployment = id;
          DeploymentOptions http = new DeploymentOptions().setInstances(config.http().instances());
          return vertx.deployVerticle(() -> new HttpServerVerticle(services, FeatureSet::new), http);
        })
        .compose(id -> {
          httpDeployment = id;
          return startManagementServer();
        })
        .map(v -> {
          purger = new TombstonePurger(vertx, services.pg(), config.tasks()).start();
          sealEraser = new RefreshSealEraser(vertx, services.pg(), config.auth().refreshReuseGrace()).start();
          retention = new AuthRetention(vertx, services.pg(), config.retention()).start();
          log.info("Bulwark {} listening on {}:{} ({} HTTP instance(s), {} hasher worker(s), environment {})",
              dev.bulwark.ops.Version.current(), config.http().host(), config.http().port(),
              config.http().instances(), config.hasher().instances(), config.environment().id());
          return this;
        });
  }

  /** {@code /metrics} on its own port when {@code metrics.port} is set, so it need not be exposed with the API. */
  private Future<Void> startManagementServer() {
    var metrics = services.config().metrics();
    if (!metrics.enabled() || metrics.port() == 0) {
      return Future.succeededFuture();
    }
    Router router = Router.router(vertx);
    router.get("/metrics").handler(new MetricsRoute(services.metricsRegistry(), metrics.token()));
    return vertx.createHttpServer().requestHandler(router).listen(metrics.port(), services.config().http().host())
        .map(server -> {
          managementServer = server;
          return null;
        });
  }

  public Services services() {
    return services;
  }

  /**
   * Graceful stop: readiness turns 503 at once, then (after {@code shutdown.drainDelay}, so load balancers notice) the
   * listeners stop accepting and in-flight requests finish within {@code shutdown.gracePeriod}, then pools close.
   * While draining, HTTP/1.x responses carry {@code Connection: close} (see {@link dev.bulwark.http.ConnectionDrain}).
   * Calling it again returns the same stop.
   */
  public synchronized Future<Void> stop() {
    if (stopped == null) {
      stopped = drainAndStop();
    }
    return stopped;
  }

  private Future<Void> drainAndStop() {
    services.draining().set(true);
    if (purger != null) {
      purger.stop();
    }
    if (sealEraser != null) {
      sealEraser.stop();
    if (retention != null) {
      retention.stop();
    }
    long drainMs = services.config().shutdown().drainDelay().toMillis();
    Future<Void> drained = drainMs == 0 ? Future.succeededFuture()
        : Future.future(p -> vertx.setTimer(drainMs, id -> p.complete()));
    Future<Void> http = drained.compose(v -> httpDeployment == null ? Future.succeededFuture() : vertx.undeploy(httpDeployment));
    return http
        .transform(ar -> managementServer == null ? Future.<Void>succeededFuture() : managementServer.close())
        .transform(ar -> hasherDeployment == null ? Future.<Void>succeededFuture() : vertx.undeploy(hasherDeployment))
        .transform(ar -> closeClients());
  }

  private Future<Void> closeClients() {
    services.redis().close();
    return services.pg().close();
  }
}
