package dev.bulwark.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** The whole configuration, typed and validated once at start-up, then passed to constructors. */
public record BulwarkConfig(
    Environment environment,
    HttpConfig http,
    DatabaseConfig database,
    RedisConfig redis,
    DevServicesConfig devServices,
    JwtConfig jwt,
    AuthConfig auth,
    HasherConfig hasher,
    List<String> corsOrigins,
    boolean docsEnabled,
    RateLimitConfig rateLimit,
    TasksConfig tasks,
    ShutdownConfig shutdown,
    MetricsConfig metrics,
    LoggingConfig logging,
    RetentionConfig retention,
    AdminConfig admin,
    OutboxConfig outbox,
    IdentityConfig identity,
    PhoneConfig phone,
    StorageConfig storage,
    MfaConfig mfa,
    TracingConfig tracing,
    ErrorReportingConfig errorReporting) {

  /**
   * Reads and validates the merged tree; throws {@link ConfigException} listing every problem
   * found.
   */
  public static BulwarkConfig from(
      JsonObject tree, Environment environment, List<ConfigProblem> earlier) {
    return from(new ConfigReader(tree), environment, earlier);
  }

  /** As above, through a reader the caller keeps (to see which keys were read). */
  static BulwarkConfig from(ConfigReader r, Environment environment, List<ConfigProblem> earlier) {
    DevServicesConfig devServices = DevServicesConfig.read(r);
    AuthConfig auth = AuthConfig.read(r);
    BulwarkConfig config =
        new BulwarkConfig(
            environment,
            HttpConfig.read(r),
            DatabaseConfig.read(r),
            RedisConfig.read(r),
            devServices,
            JwtConfig.read(r),
            auth,
            HasherConfig.read(r),
            CorsOrigins.read(r),
            r.bool("docs.enabled", !environment.isStrict()),
            RateLimitConfig.read(r),
            TasksConfig.read(r),
            ShutdownConfig.read(r),
            MetricsConfig.read(r),
            LoggingConfig.read(r, environment),
            RetentionConfig.read(r),
            AdminConfig.read(r, environment),
            OutboxConfig.read(r),
            IdentityConfig.read(r),
            PhoneConfig.read(r),
            StorageConfig.read(r, devServices.dataDir()),
            MfaConfig.read(r, environment, auth.roles()),
            TracingConfig.read(r),
            ErrorReportingConfig.read(r, environment));
    List<ConfigProblem> problems = new ArrayList<>(earlier);
    problems.addAll(r.problems());
    if (environment.isStrict()) {
      // a key already reported as malformed is not reported again by the preflight
      for (ConfigProblem p : Preflight.problems(config, r)) {
        if (problems.stream().noneMatch(known -> known.key().equals(p.key()))) {
          problems.add(p);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  /** Embedded services start when development leaves a URL unset. */
  public boolean needsEmbeddedPostgres() {
    return database.url() == null;
  }

  public boolean needsEmbeddedRedis() {
    return redis.url() == null;
  }

  public BulwarkConfig withServices(DatabaseUrl databaseUrl, String redisUrl) {
    return new BulwarkConfig(
        environment,
        http,
        database.withUrl(databaseUrl),
        redis.withUrl(redisUrl),
        devServices,
        jwt,
        auth,
        hasher,
        corsOrigins,
        docsEnabled,
        rateLimit,
        tasks,
        shutdown,
        metrics,
        logging,
        retention,
        admin,
        outbox,
        identity,
        phone,
        storage,
        mfa,
        tracing,
        errorReporting);
  }
}
