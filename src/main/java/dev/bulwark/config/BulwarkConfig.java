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
    LoggingConfig logging) {

  /** Reads and validates the merged tree; throws {@link ConfigException} listing every problem found. */
  public static BulwarkConfig from(JsonObject tree, Environment environment, List<ConfigProblem> earlier) {
    ConfigReader r = new ConfigReader(tree);
    BulwarkConfig config = new BulwarkConfig(
        environment,
        HttpConfig.read(r),
        DatabaseConfig.read(r),
        RedisConfig.read(r),
        DevServicesConfig.read(r),
        JwtConfig.read(r),
        AuthConfig.read(r),
        HasherConfig.read(r),
        r.list("cors.origins"),
        r.bool("docs.enabled", !environment.isStrict()),
        RateLimitConfig.read(r),
        TasksConfig.read(r),
        LoggingConfig.read(r, environment));
    List<ConfigProblem> problems = new ArrayList<>(earlier);
    problems.addAll(r.problems());
    if (environment.isStrict()) {
      problems.addAll(config.strictProblems(tree, r));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  /** What staging and production refuse: the things a development default may leave unset or unsafe. */
  private List<ConfigProblem> strictProblems(JsonObject tree, ConfigReader r) {
    List<ConfigProblem> out = new ArrayList<>();
    String where = " is required in " + environment.id();
    if (r.optionalString("database.url") == null) {
      out.add(new ConfigProblem("database.url", "DATABASE_URL" + where + " (embedded services are development-only)"));
    }
    if (r.optionalString("redis.url") == null) {
      out.add(new ConfigProblem("redis.url", "REDIS_URL" + where + " (embedded services are development-only)"));
    }
    if (jwt.secret() == null) {
      out.add(new ConfigProblem("jwt.secret", "JWT_SECRET_KEY" + where + " (at least " + JwtConfig.MIN_SECRET_BYTES + " random bytes)"));
    }
    if (corsOrigins.contains("*")) {
      out.add(new ConfigProblem("cors.origins", "wildcard '*' is not allowed in " + environment.id() + "; list exact origins"));
    }
    return out;
  }

  /** Embedded services start when development leaves a URL unset. */
  public boolean needsEmbeddedPostgres() {
    return database.url() == null;
  }

  public boolean needsEmbeddedRedis() {
    return redis.url() == null;
  }

  public BulwarkConfig withServices(DatabaseUrl databaseUrl, String redisUrl) {
    return new BulwarkConfig(environment, http, database.withUrl(databaseUrl), redis.withUrl(redisUrl), devServices,
        jwt, auth, hasher, corsOrigins, docsEnabled, rateLimit, tasks, logging);
  }
}
