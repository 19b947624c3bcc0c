package dev.bulwark;

import dev.bulwark.attachments.OrphanSweep;
import dev.bulwark.auth.AuditLog;
import dev.bulwark.auth.AuthRetention;
import dev.bulwark.auth.EmailFlows;
import dev.bulwark.auth.EmailQuota;
import dev.bulwark.auth.PasswordHasher;
import dev.bulwark.auth.PasswordHasherVerticle;
import dev.bulwark.auth.PasswordHashes;
import dev.bulwark.auth.RefreshSealEraser;
import dev.bulwark.auth.RequestInfo;
import dev.bulwark.auth.Revocations;
import dev.bulwark.auth.SigningKeyFingerprint;
import dev.bulwark.auth.UserRepository;
import dev.bulwark.auth.WorkerNiceness;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.DatabaseConfig;
import dev.bulwark.config.Preflight;
import dev.bulwark.core.FailureReporter;
import dev.bulwark.http.ClientAddress;
import dev.bulwark.http.HttpServerMeters;
import dev.bulwark.http.HttpServerVerticle;
import dev.bulwark.http.ProblemCounts;
import dev.bulwark.http.Telemetry;
import dev.bulwark.infra.Metrics;
import dev.bulwark.infra.Migrations;
import dev.bulwark.infra.PostgresPool;
import dev.bulwark.infra.RedisConnector;
import dev.bulwark.infra.SentryReporter;
import dev.bulwark.ops.MetricsRoute;
import dev.bulwark.ops.Version;
import dev.bulwark.outbox.Delivery;
import dev.bulwark.outbox.NewMessage;
import dev.bulwark.outbox.OutboxMetrics;
import dev.bulwark.outbox.OutboxSender;
import dev.bulwark.outbox.Senders;
import dev.bulwark.ratelimit.RateLimitGate;
import dev.bulwark.ratelimit.RefusalLog;
import dev.bulwark.tasks.TombstonePurger;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: a running Bulwark. It builds what the process shares (the pools, the
 * hasher, the gate with its fallback state, revocations), then migrate → hasher workers → HTTP
 * verticles (each composed by {@link FeatureSet} on its own event loop) → the management port →
 * background jobs, and the reverse on stop. The configuration must already carry both service URLs
 * (see {@link dev.bulwark.infra.DevServices} for development).
 */
public final class Bulwark {
  private static final Logger log = LoggerFactory.getLogger(Bulwark.class);

  private final Vertx vertx;
  private final BulwarkConfig config;
  private final Pool pg;
  private final Redis redis;
  private final PasswordHasher hasher;
  private final ClientAddress clients;
  private final RateLimitGate gate;
  private final Revocations revocations;
  private final SigningKeyFingerprint fingerprint;
  private long fingerprintTimer = -1;
  private final boolean embeddedServices;
  private final String metricsRegistry;
  private final FailureReporter failures;
  private final Telemetry telemetry;
  private final HttpServerMeters httpMeters;

  /**
   * Connections of the process's own pool (start-up, background jobs, audit of refusals); the HTTP
   * verticles each have their own share of {@code database.poolSize}.
   */
  private static final int PROCESS_POOL_SIZE = 4;

  private final long startedAtMillis;
  private final AtomicBoolean draining = new AtomicBoolean();
  private final List<Runnable> jobStops = new ArrayList<>();
  private String hasherDeployment;
  private String outboxDeployment;
  private String httpDeployment;
  private HttpServer managementServer;
  private Future<Void> stopped;
  private Clock clock = Clock.systemUTC();

  private Bulwark(
      Vertx vertx,
      BulwarkConfig config,
      boolean embeddedServices,
      String metricsRegistry,
      long startedAtMillis) {
    this.vertx = vertx;
    this.config = config;
    this.embeddedServices = embeddedServices;
    this.metricsRegistry = metricsRegistry;
    this.startedAtMillis = startedAtMillis;
    DatabaseConfig db = config.database();
    this.pg =
        PostgresPool.create(
            vertx, db, "bulwark-pg", Math.min(db.poolSize(), PROCESS_POOL_SIZE), db.maxWaitQueue());
    this.redis = RedisConnector.create(vertx, config.redis());
    this.hasher = new PasswordHasher(vertx, config.hasher());
    this.clients = new ClientAddress(config.rateLimit().trustedProxies());
    this.gate =
        new RateLimitGate(
            config.rateLimit(), clients, config.redis().clustered(), refusalAudit(pg));
    this.revocations = new Revocations(redis, pg, config);
    this.fingerprint =
        new SigningKeyFingerprint(
            redis,
            config.jwt(),
            config.environment().isStrict(),
            config.redis().commandTimeout().toMillis());
    this.failures = SentryReporter.create(config.errorReporting(), Version.current());
    this.telemetry = RequestTelemetry.of(config.tracing().enabled(), failures);
    MeterRegistry registry = BackendRegistries.getNow(metricsRegistry);
    this.httpMeters = registry == null ? HttpServerMeters.NONE : new HttpServerMeters(registry);
  }

  /** Starts on a Vert.x created with {@link Metrics#vertx} under {@code metricsRegistry}. */
  public static Future<Bulwark> start(
      Vertx vertx, BulwarkConfig config, boolean embeddedServices, String metricsRegistry) {
    return start(vertx, config, embeddedServices, metricsRegistry, Clock.systemUTC());
  }

  /**
   * As above, with the clock the features date sessions, one-time codes and second factors by
   * (tests move it; access tokens keep the system clock).
   */
  public static Future<Bulwark> start(
      Vertx vertx,
      BulwarkConfig config,
      boolean embeddedServices,
      String metricsRegistry,
      Clock clock) {
    long started = System.currentTimeMillis();
    Preflight.warnings(config).forEach(w -> log.warn("Preflight warning: {}", w));
    DatabaseConfig db = config.database();
    Future<Void> schema =
        db.migrateOnStart()
            ? Migrations.migrate(vertx, db.url()).mapEmpty()
            : Migrations.requireCurrent(vertx, db.url(), db.pgbouncer());
    return schema.compose(
        ready -> {
          Bulwark app = new Bulwark(vertx, config, embeddedServices, metricsRegistry, started);
          app.clock = clock;
          Metrics.bind(metricsRegistry, app.hasher::outstanding, app.hasher::rejectedTotal);
          SentryReporter.bindMetrics(metricsRegistry, app.failures);
          ProblemCounts.publishTo(
              (status, code, n) -> Metrics.problemCounter(metricsRegistry, status, code, n));
          List<String> kinds = new ArrayList<>(List.of(NewMessage.EMAIL, NewMessage.SMS));
          kinds.addAll(EmailFlows.kinds());
          OutboxMetrics.bind(metricsRegistry, kinds);
          return UserRepository.ensureRoles(app.pg, config.auth().roles().names())
              .compose(v -> app.fingerprint.checkAtStart())
              .compose(v -> app.revocations.repairAtStart())
              .compose(v -> app.deploy())
              .recover(err -> app.closeClients().transform(ignored -> Future.failedFuture(err)));
        });
  }

  /** Rate-limit refusals in the audit trail, as every other security event. */
  private static RefusalLog refusalAudit(Pool pg) {
    return (ctx, refusal) ->
        AuditLog.recordAsync(
            pg,
            new AuditLog.Event(
                    "rate_limited",
                    refusal.userId() == null ? null : UUID.fromString(refusal.userId()),
                    null,
                    RequestInfo.of(ctx))
                .with("principal", refusal.principal())
                .with("policy", refusal.policy())
                .with("limit", refusal.limit()));
  }

  private Future<Bulwark> deploy() {
    // bcrypt gets a pool of its own: it cannot starve executeBlocking work, and its threads can be
    // niced alone
    DeploymentOptions workers =
        new DeploymentOptions()
            .setThreadingModel(ThreadingModel.WORKER)
            .setInstances(config.hasher().instances())
            .setWorkerPoolName("bulwark-bcrypt")
            .setWorkerPoolSize(config.hasher().instances());
    WorkerNiceness niceness =
        new WorkerNiceness(config.hasher().niceness(), config.hasher().idle());
    PasswordHashes hashes =
        new PasswordHashes(config.auth().passwordPepper(), config.hasher().rounds());
    return vertx
        .deployVerticle(() -> new PasswordHasherVerticle(hashes, niceness, hasher), workers)
        .compose(
            id -> {
              hasherDeployment = id;
              DeploymentOptions http =
                  new DeploymentOptions().setInstances(config.http().instances());
              return vertx.deployVerticle(
                  () ->
                      new HttpServerVerticle(
                          config.http(),
                          config.shutdown().gracePeriod(),
                          verticleVertx -> new FeatureSet(verticleVertx, this)),
                  http);
            })
        .compose(
            id -> {
              httpDeployment = id;
              return vertx.deployVerticle(
                  new OutboxSender(pg, config.outbox(), this::outboxDeliveries, failures));
            })
        .compose(
            id -> {
              outboxDeployment = id;
              return startManagementServer();
            })
        .map(
            v -> {
              fingerprintTimer = fingerprint.renewEvery(vertx);
              jobStops.add(new TombstonePurger(vertx, pg, config.tasks(), failures).start()::stop);
              jobStops.add(new OrphanSweep(vertx, pg, config.storage()).start()::stop);
              jobStops.add(
                  new RefreshSealEraser(vertx, pg, config.auth().refreshReuseGrace(), failures)
                          .start()
                      ::stop);
              jobStops.add(
                  new AuthRetention(vertx, pg, config.retention(), failures).start()::stop);
              log.info(
                  "Bulwark {} listening on {}:{} ({} HTTP instance(s), {} hasher worker(s), environment {},"
                      + " {} transport)",
                  Version.current(),
                  config.http().host(),
                  config.http().port(),
                  config.http().instances(),
                  config.hasher().instances(),
                  config.environment().id(),
                  vertx.isNativeTransportEnabled() ? "native" : "NIO");
              return this;
            });
  }

  /**
   * {@code /metrics} on its own port when {@code metrics.port} is set, so it need not be exposed
   * with the API.
   */
  private Future<Void> startManagementServer() {
    var metrics = config.metrics();
    if (!metrics.enabled() || metrics.port() == 0) {
      return Future.succeededFuture();
    }
    Router router = Router.router(vertx);
    router.get("/metrics").handler(new MetricsRoute(metricsRegistry, metrics.token()));
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(metrics.port(), config.http().host())
        .map(
            server -> {
              managementServer = server;
              return null;
            });
  }

  /** Mail and SMS as configured, and the identity flows' deferred jobs, by outbox kind. */
  private Map<String, Delivery> outboxDeliveries(Vertx senderVertx) {
    Map<String, Delivery> out =
        new HashMap<>(
            Senders.create(
                senderVertx,
                config.outbox(),
                config.devServices().dataDir(),
                !config.environment().isStrict()));
    out.putAll(emailFlows(redis).deliveries());
    return out;
  }

  /** The email proof and recovery flows, on {@code redis} (a verticle's own client or ours). */
  EmailFlows emailFlows(Redis redis) {
    return new EmailFlows(
        pg,
        hasher,
        revocations,
        new EmailQuota(redis, config.identity(), config.redis().commandTimeout().toMillis()),
        config.identity());
  }

  public BulwarkConfig config() {
    return config;
  }

  /** The clock the features run on (the system's, unless a test gave another). */
  Clock clock() {
    return clock;
  }

  /** The process's PostgreSQL pool (tests use it to look at what the server wrote). */
  public Pool pg() {
    return pg;
  }

  /** The API's HTTP meters, shared by every verticle's router (NONE with metrics off). */
  HttpServerMeters httpMeters() {
    return httpMeters;
  }

  /** What the routers tell observability (traces, error reports); see {@link RequestTelemetry}. */
  Telemetry telemetry() {
    return telemetry;
  }

  PasswordHasher hasher() {
    return hasher;
  }

  ClientAddress clients() {
    return clients;
  }

  RateLimitGate gate() {
    return gate;
  }

  Revocations revocations() {
    return revocations;
  }

  boolean embeddedServices() {
    return embeddedServices;
  }

  /** The name of the Micrometer registry this process's metrics go to. */
  public String metricsRegistry() {
    return metricsRegistry;
  }

  long startedAtMillis() {
    return startedAtMillis;
  }

  /**
   * True from the moment {@link #stop} is called: readiness answers 503 and responses say
   * Connection: close.
   */
  boolean draining() {
    return draining.get();
  }

  /**
   * Graceful stop: readiness turns 503 at once, then (after {@code shutdown.drainDelay}, so load
   * balancers notice) the listeners stop accepting and in-flight requests finish within {@code
   * shutdown.gracePeriod}, then pools close. While draining, HTTP/1.x responses carry {@code
   * Connection: close} (see {@link dev.bulwark.http.ConnectionDrain}). Calling it again returns the
   * same stop.
   */
  public synchronized Future<Void> stop() {
    if (stopped == null) {
      stopped = drainAndStop();
    }
    return stopped;
  }

  private Future<Void> drainAndStop() {
    draining.set(true);
    jobStops.forEach(Runnable::run);
    long drainMs = config.shutdown().drainDelay().toMillis();
    Future<Void> drained =
        drainMs == 0
            ? Future.succeededFuture()
            : Future.future(p -> vertx.setTimer(drainMs, id -> p.complete()));
    Future<Void> http =
        drained.compose(
            v ->
                httpDeployment == null ? Future.succeededFuture() : vertx.undeploy(httpDeployment));
    return http.transform(
            ar ->
                outboxDeployment == null
                    ? Future.<Void>succeededFuture()
                    : vertx.undeploy(outboxDeployment))
        .transform(
            ar ->
                managementServer == null
                    ? Future.<Void>succeededFuture()
                    : managementServer.close())
        .transform(
            ar ->
                hasherDeployment == null
                    ? Future.<Void>succeededFuture()
                    : vertx.undeploy(hasherDeployment))
        .transform(ar -> closeClients());
  }

  private Future<Void> closeClients() {
    if (fingerprintTimer >= 0) {
      vertx.cancelTimer(fingerprintTimer);
    }
    SentryReporter.close(failures);
    return fingerprint
        .withdraw()
        .transform(
            ar -> {
              redis.close();
              return pg.close();
            });
  }
}
