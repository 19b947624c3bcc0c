package dev.bulwark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.core.Role;
import dev.bulwark.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static Vertx vertx;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  private static BulwarkConfig load(Map<String, String> env, Map<String, String> props) {
    return Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, props));
  }

  private static List<ConfigProblem> problems(Map<String, String> env) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(env, Map.of()));
    return e.problems();
  }

  private static boolean mentions(
      List<ConfigProblem> problems, String key, String envVar, String fragment) {
    return problems.stream()
        .anyMatch(
            p ->
                p.key().equals(key)
                    && p.toString().contains(envVar)
                    && p.message().contains(fragment));
  }

  @Test
  void developmentDefaultsComeFromConfFiles() {
    BulwarkConfig c = load(Map.of(), Map.of());
    assertEquals(Environment.DEVELOPMENT, c.environment());
    assertEquals(8080, c.http().port());
    assertEquals(64 * 1024, c.http().bodyLimit());
    assertEquals(16, c.database().poolSize());
    assertEquals(12, c.hasher().rounds());
    assertEquals(Duration.ofMinutes(15), c.jwt().accessTokenTtl());
    assertTrue(c.docsEnabled(), "docs on in development");
    assertTrue(
        c.needsEmbeddedPostgres(), "no DATABASE_URL in development means embedded PostgreSQL");
    assertTrue(c.needsEmbeddedRedis());
    assertEquals(LoggingConfig.Format.TEXT, c.logging().format());
  }

  @Test
  void environmentVariablesOverrideFilesAndSystemPropertiesOverrideBoth() {
    Map<String, String> env =
        Map.of(
            "HTTP_PORT",
            "9001",
            "DATABASE_POOL_SIZE",
            "7",
            "CORS_ORIGINS",
            "https://a.example, https://b.example");
    BulwarkConfig fromEnv = load(env, Map.of());
    assertEquals(9001, fromEnv.http().port());
    assertEquals(7, fromEnv.database().poolSize());
    assertEquals(List.of("https://a.example", "https://b.example"), fromEnv.corsOrigins());

    BulwarkConfig fromProps =
        load(
            env,
            Map.of("http.port", "9002", "http.bodyLimit", "128KiB", "java.version", "ignored"));
    assertEquals(9002, fromProps.http().port());
    assertEquals(128 * 1024, fromProps.http().bodyLimit());
  }

  @Test
  void profileFileOverridesBaseFile() {
    BulwarkConfig c =
        load(
            Map.of(
                "ENVIRONMENT",
                "staging",
                "DATABASE_URL",
                "postgresql://u:p@db:5432/app",
                "REDIS_URL",
                "redis://cache:6379",
                "JWT_SECRET_KEY",
                "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0o",
                "PASSWORD_PEPPER",
                "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb",
                "MFA_ENCRYPTION_KEY",
                "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9",
                "SMTP_URL",
                "smtp://mail.example.com:587",
                "PUBLIC_BASE_URL",
                "https://app.example.com"),
            Map.of());
    assertEquals(Environment.STAGING, c.environment());
    assertFalse(c.docsEnabled(), "application-staging.yaml turns docs off");
    assertEquals(LoggingConfig.Format.JSON, c.logging().format());
    assertEquals("db", c.database().url().host());
    assertEquals("p", c.database().url().password());
    assertEquals("jdbc:postgresql://db:5432/app?sslmode=disable", c.database().url().jdbcUrl());
  }

  @Test
  void eachBadValueIsReportedWithItsKeyAndVariable() {
    List<ConfigProblem> p =
        problems(
            Map.of(
                "HTTP_PORT",
                "abc",
                "DATABASE_POOL_SIZE",
                "0",
                "DATABASE_URL",
                "mysql://db/app",
                "REDIS_URL",
                "http://cache"));
    assertTrue(mentions(p, "http.port", "HTTP_PORT", "'abc' is not a whole number"), p::toString);
    assertTrue(mentions(p, "database.poolSize", "DATABASE_POOL_SIZE", "out of range"), p::toString);
    assertTrue(
        mentions(p, "database.url", "DATABASE_URL", "scheme must be postgresql://"), p::toString);
    assertTrue(mentions(p, "redis.url", "REDIS_URL", "scheme must be redis://"), p::toString);
    assertEquals(4, p.size(), p::toString);
  }

  @Test
  void malformedDatabaseUrlsAreRefusedWithoutEchoingThePassword() {
    for (String url :
        List.of(
            "postgresql://user:secretpw@/app",
            "postgresql://user:secretpw@db:5432",
            "not a url at all",
            "postgresql://db:99999/app")) {
      List<ConfigProblem> p = problems(Map.of("DATABASE_URL", url));
      assertTrue(p.stream().anyMatch(x -> x.key().equals("database.url")), url + " -> " + p);
      assertFalse(p.toString().contains("secretpw"), "password must not be echoed");
    }
  }

  @Test
  void unknownEnvironmentIsRefused() {
    List<ConfigProblem> p = problems(Map.of("ENVIRONMENT", "prod"));
    assertTrue(
        mentions(p, "environment", "ENVIRONMENT", "unknown environment 'prod'"), p::toString);
  }

  @Test
  void productionRefusesMissingUrlsAndSecretAllAtOnce() {
    List<ConfigProblem> p = problems(Map.of("ENVIRONMENT", "production"));
    assertTrue(mentions(p, "database.url", "DATABASE_URL", "required in production"), p::toString);
    assertTrue(mentions(p, "redis.url", "REDIS_URL", "required in production"), p::toString);
    assertTrue(mentions(p, "jwt.secret", "JWT_SECRET_KEY", "required in production"), p::toString);
    assertTrue(mentions(p, "auth.passwordPepper", "PASSWORD_PEPPER", "is required"), p::toString);
    String message = new ConfigException(p).getMessage();
    assertTrue(
        message.contains("DATABASE_URL")
            && message.contains("REDIS_URL")
            && message.contains("JWT_SECRET_KEY"));
  }

  @Test
  void productionRefusesShortSecretAndWildcardCors() {
    List<ConfigProblem> p =
        problems(
            Map.of(
                "ENVIRONMENT",
                "production",
                "DATABASE_URL",
                "postgresql://u@db/app",
                "REDIS_URL",
                "redis://cache:6379",
                "JWT_SECRET_KEY",
                "too-short",
                "CORS_ORIGINS",
                "*"));
    assertTrue(mentions(p, "jwt.secret", "JWT_SECRET_KEY", "at least 32 bytes"), p::toString);
    assertTrue(mentions(p, "cors.origins", "CORS_ORIGINS", "wildcard"), p::toString);
  }

  @Test
  void badDurationsSizesBooleansAndEnumsAreReported() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                load(
                    Map.of("RATE_LIMIT_ENABLED", "maybe", "LOG_FORMAT", "xml"),
                    Map.of("http.requestTimeout", "soon", "http.bodyLimit", "64 parsecs")));
    String m = e.getMessage();
    assertTrue(
        m.contains("rateLimit.enabled (env RATE_LIMIT_ENABLED): 'maybe' is not a boolean"), m);
    assertTrue(m.contains("logging.format (env LOG_FORMAT): 'xml' is not one of text, json"), m);
    assertTrue(m.contains("http.requestTimeout: 'soon' is not a duration"), m);
    assertTrue(m.contains("http.bodyLimit: '64 parsecs' is not a size"), m);
  }

  @Test
  void missingBaseConfigFileIsAClearProblem(@TempDir Path empty) throws Exception {
    Files.createDirectories(empty);
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                Await.result(
                    new ConfigLoader(vertx, empty.resolve("nowhere"))
                        .load(new HashMap<>(), Map.of())));
    assertTrue(e.getMessage().contains("cannot read configuration files"), e.getMessage());
  }

  @Test
  void durationParsing() {
    assertEquals(Duration.ofMillis(500), ConfigReader.parseDuration("500ms"));
    assertEquals(Duration.ofSeconds(30), ConfigReader.parseDuration("30"));
    assertEquals(Duration.ofDays(7), ConfigReader.parseDuration("7d"));
    assertEquals(null, ConfigReader.parseDuration("7 weeks"));
    assertEquals(null, ConfigReader.parseDuration("-5s"));
  }

  private static Map<String, String> production(Map<String, String> extra) {
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "ENVIRONMENT",
                "production",
                "DATABASE_URL",
                "postgresql://u:p@db:5432/app",
                "REDIS_URL",
                "redis://cache:6379",
                "JWT_SECRET_KEY",
                "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx",
                "PASSWORD_PEPPER",
                "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb",
                "MFA_ENCRYPTION_KEY",
                "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9",
                "SMTP_URL",
                "smtp://mail.example.com:587",
                "PUBLIC_BASE_URL",
                "https://app.example.com"));
    env.putAll(extra);
    return env;
  }

  @Test
  void aSafeProductionConfigPasses() {
    BulwarkConfig c = load(production(Map.of()), Map.of());
    assertFalse(c.docsEnabled());
    assertTrue(c.rateLimit().enabled());
  }

  @Test
  void productionPreflightListsEveryUnsafeSettingAtOnce() {
    List<ConfigProblem> p =
        problems(
            production(
                Map.of(
                    "ENABLE_DOCS",
                    "true",
                    "LOG_LEVEL",
                    "DEBUG",
                    "RATE_LIMIT_ENABLED",
                    "false",
                    "CORS_ORIGINS",
                    "https://ok.example,*",
                    "JWT_SECRET_KEY",
                    "development-only-secret-never-use-in-production-0123456789")));
    assertTrue(mentions(p, "docs.enabled", "ENABLE_DOCS", "docs must be off"), p::toString);
    assertTrue(
        mentions(p, "logging.level", "LOG_LEVEL", "DEBUG logging is not allowed"), p::toString);
    assertTrue(
        mentions(p, "rateLimit.enabled", "RATE_LIMIT_ENABLED", "cannot be disabled"), p::toString);
    assertTrue(mentions(p, "cors.origins", "CORS_ORIGINS", "wildcard"), p::toString);
    assertTrue(mentions(p, "jwt.secret", "JWT_SECRET_KEY", "placeholder"), p::toString);
    assertEquals(5, p.size(), p::toString);
  }

  @Test
  void theMfaKeyIsRequiredOutsideDevelopmentAndMustBeItsOwn() {
    Map<String, String> none = production(Map.of());
    none.remove("MFA_ENCRYPTION_KEY");
    assertTrue(
        mentions(problems(none), "mfa.encryptionKey", "MFA_ENCRYPTION_KEY", "is required"),
        () -> problems(none).toString());
    List<ConfigProblem> same =
        problems(
            production(Map.of("MFA_ENCRYPTION_KEY", "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx")));
    assertTrue(
        mentions(
            same, "mfa.encryptionKey", "MFA_ENCRYPTION_KEY", "must differ from JWT_SECRET_KEY"),
        same::toString);
    assertTrue(
        mentions(
            problems(production(Map.of("MFA_ENCRYPTION_KEY", "short"))),
            "mfa.encryptionKey",
            "MFA_ENCRYPTION_KEY",
            "at least 32 bytes"));
    assertTrue(
        mentions(
            problems(production(Map.of("REQUIRE_MFA_FOR_ROLES", "root"))),
            "auth.requireMfaForRoles",
            "REQUIRE_MFA_FOR_ROLES",
            "not one of auth.roles"));
  }

  @Test
  void administratorsMustUseMfaOutsideDevelopmentByDefault() {
    BulwarkConfig production = load(production(Map.of()), Map.of());
    assertEquals(
        java.util.Set.of(dev.bulwark.core.Role.ADMIN), production.mfa().requiredForRoles());
    BulwarkConfig none = load(production(Map.of("REQUIRE_MFA_FOR_ROLES", "")), Map.of());
    assertEquals(java.util.Set.of(), none.mfa().requiredForRoles());
  }

  @Test
  void thePasswordPepperMustBeLongRandomAndItsOwn() {
    assertTrue(
        mentions(
            problems(production(Map.of("PASSWORD_PEPPER", "short-pepper"))),
            "auth.passwordPepper",
            "PASSWORD_PEPPER",
            "at least 32 bytes"));
    List<ConfigProblem> dev =
        problems(
            production(
                Map.of(
                    "PASSWORD_PEPPER",
                    "development-only-password-pepper-not-a-secret-0123456789")));
    assertTrue(
        mentions(dev, "auth.passwordPepper", "PASSWORD_PEPPER", "placeholder"), dev::toString);
    List<ConfigProblem> same =
        problems(
            production(Map.of("PASSWORD_PEPPER", "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx")));
    assertTrue(
        mentions(same, "auth.passwordPepper", "PASSWORD_PEPPER", "must differ from JWT_SECRET_KEY"),
        same::toString);
    Map<String, String> none = production(Map.of());
    none.remove("PASSWORD_PEPPER");
    assertTrue(mentions(problems(none), "auth.passwordPepper", "PASSWORD_PEPPER", "is required"));
    assertEquals(
        "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb",
        load(production(Map.of()), Map.of()).auth().passwordPepper());
  }

  @Test
  void productionRefusesTheDevelopmentOutboxFolderAndLinksWithoutAPublicBaseUrl() {
    Map<String, String> env = production(Map.of());
    env.remove("SMTP_URL");
    env.remove("PUBLIC_BASE_URL");
    List<ConfigProblem> p = problems(env);
    assertTrue(mentions(p, "mail.smtpUrl", "SMTP_URL", "is required"), p::toString);
    assertTrue(mentions(p, "links.publicBaseUrl", "PUBLIC_BASE_URL", "is required"), p::toString);
    List<ConfigProblem> badUrl = problems(production(Map.of("SMTP_URL", "http://mail:25")));
    assertTrue(mentions(badUrl, "mail.smtpUrl", "SMTP_URL", "smtp://"), badUrl::toString);
    List<ConfigProblem> noGateway = problems(production(Map.of("SMS_ALLOWED_COUNTRIES", "GB")));
    assertTrue(
        mentions(noGateway, "sms.gatewayUrl", "SMS_GATEWAY_URL", "is required"),
        noGateway::toString);
    BulwarkConfig ok =
        load(production(Map.of("SMTP_URL", "smtps://u:p%40ss@mail.example.com")), Map.of());
    assertEquals(465, ok.outbox().smtp().port());
    assertEquals("p@ss", ok.outbox().smtp().password());
    assertFalse(ok.outbox().smtp().toString().contains("p@ss"), "no password in its toString");
  }

  @Test
  void sessionMaxAgeDefaultsToNinetyDaysAndIsSetBySessionMaxAge() {
    assertEquals(Duration.ofDays(90), load(Map.of(), Map.of()).auth().sessionMaxAge());
    assertEquals(
        Duration.ofDays(30),
        load(Map.of("SESSION_MAX_AGE", "30d"), Map.of()).auth().sessionMaxAge());
    assertTrue(
        mentions(
            problems(Map.of("SESSION_MAX_AGE", "0s")),
            "auth.sessionMaxAge",
            "SESSION_MAX_AGE",
            "out of range"));
  }

  @Test
  void developmentGeneratesAPepperApartFromItsSigningKey() {
    BulwarkConfig config = load(Map.of(), Map.of());
    assertEquals(43, config.auth().passwordPepper().length(), "32 random bytes, base64url");
    assertNotEquals(config.jwt().secret(), config.auth().passwordPepper());
    assertEquals(
        config.auth().passwordPepper(),
        load(Map.of(), Map.of()).auth().passwordPepper(),
        "kept and reused");
  }

  @Test
  void lowEntropySecretsAreRefused() {
    List<ConfigProblem> p =
        problems(production(Map.of("JWT_SECRET_KEY", "abababababababababababababababababab")));
    assertTrue(mentions(p, "jwt.secret", "JWT_SECRET_KEY", "placeholder"), p::toString);
  }

  @Test
  void stagingAllowsLimitingOffButNotDocsOrDebug() {
    Map<String, String> staging =
        production(Map.of("ENVIRONMENT", "staging", "RATE_LIMIT_ENABLED", "false"));
    assertFalse(load(staging, Map.of()).rateLimit().enabled());
    staging.put("ENABLE_DOCS", "on");
    List<ConfigProblem> p = problems(staging);
    assertTrue(mentions(p, "docs.enabled", "ENABLE_DOCS", "docs must be off"), p::toString);
    assertEquals(1, p.size(), p::toString);
  }

  @Test
  void rateLimitRulesComeFromTheEnvironmentsFile() {
    RateLimitConfig prod = load(production(Map.of()), Map.of()).rateLimit();
    assertEquals(
        List.of("auth", "delete", "admin", "export", "leave", "global"),
        prod.rules().stream().map(RateLimitConfig.Rule::name).toList());
    RateLimitConfig.Rule auth = prod.rules().get(0);
    assertEquals("POST", auth.method());
    assertEquals("/api/v1/auth/*", auth.pathPattern());
    assertEquals(RateLimitConfig.Key.SESSION_OR_IP, auth.key());
    assertEquals(List.of(RateLimitConfig.limit("5/1m")), auth.limits());
    assertEquals(RateLimitConfig.Key.USER, prod.rules().get(1).key());
    assertEquals(
        List.of(RateLimitConfig.limit("100/1m"), RateLimitConfig.limit("1000/1h")),
        prod.rules().get(5).limits());
    RateLimitConfig.Rule admin = prod.rules().get(2);
    assertEquals("/api/v1/admin/**", admin.pathPattern());
    assertEquals(RateLimitConfig.Key.USER, admin.key());
    assertEquals(RateLimitConfig.FailMode.LOCAL, prod.failMode());

    Map<String, String> staging = new HashMap<>(production(Map.of()));
    staging.put("ENVIRONMENT", "staging");
    RateLimitConfig stage = load(staging, Map.of()).rateLimit();
    assertEquals(List.of(RateLimitConfig.limit("10/1m")), stage.rules().get(0).limits());
    assertEquals(List.of(RateLimitConfig.limit("30/1m")), stage.rules().get(1).limits());
    assertTrue(
        load(Map.of(), Map.of()).rateLimit().rules().get(0).limits().get(0).count() > 5,
        "development is relaxed");
  }

  @Test
  void rolesAreThreeDistinctNamesAndTheAdminApiHidesItselfInProductionByDefault() {
    BulwarkConfig development = load(Map.of(), Map.of());
    assertEquals(List.of("user", "staff", "admin"), development.auth().roles().names());
    assertFalse(development.admin().hideFromNonStaff());
    assertTrue(load(production(Map.of()), Map.of()).admin().hideFromNonStaff());
    assertTrue(load(Map.of(), Map.of("admin.hideFromNonStaff", "true")).admin().hideFromNonStaff());

    BulwarkConfig civic = load(Map.of(), Map.of("auth.roles", "citizen, officer, admin"));
    assertEquals(Role.STAFF, civic.auth().roles().level("officer"), "renamed: officer is staff");
    assertEquals(null, civic.auth().roles().level("staff"));

    for (String bad : List.of("user,staff", "user,user,admin", "user,Staff!,admin")) {
      ConfigException e =
          assertThrows(ConfigException.class, () -> load(Map.of(), Map.of("auth.roles", bad)));
      List<ConfigProblem> p = e.problems();
      assertTrue(mentions(p, "auth.roles", "auth.roles", "three distinct"), bad + ": " + p);
    }
  }

  @Test
  void rateLimitSettingsFromEnvironmentVariables() {
    RateLimitConfig c =
        load(
                Map.of(
                    "RATE_LIMIT_FAIL_MODE",
                    "closed",
                    "RATE_LIMIT_TRUSTED_PROXIES",
                    "10.0.0.0/8, ::1",
                    "RATE_LIMIT_RULES",
                    "[{\"name\":\"x\",\"match\":\"GET /a/*\",\"key\":\"user_or_ip\",\"limits\":[\"7/10s\"]}]"),
                Map.of())
            .rateLimit();
    assertEquals(RateLimitConfig.FailMode.CLOSED, c.failMode());
    assertEquals(List.of("10.0.0.0/8", "::1"), c.trustedProxies());
    assertEquals(1, c.rules().size());
    assertEquals(RateLimitConfig.Key.USER_OR_IP, c.rules().get(0).key());
    assertEquals(Duration.ofSeconds(10), c.rules().get(0).limits().get(0).window());
  }

  @Test
  void badRateLimitSettingsAreAllNamed() {
    List<ConfigProblem> p =
        problems(
            Map.of(
                "RATE_LIMIT_FAIL_MODE",
                "sometimes",
                "RATE_LIMIT_TRUSTED_PROXIES",
                "10.0.0.0/33,proxy.local",
                "RATE_LIMIT_RULES",
                "[{\"name\":\"Bad Name\",\"match\":\"FETCH /a\",\"key\":\"device\",\"limits\":[\"5 per minute\"]},"
                    + "{\"name\":\"ok\",\"match\":\"/a\",\"key\":\"ip\",\"limits\":[\"1/1m\",\"2/60s\"],\"burst\":3},"
                    + "{\"name\":\"ok\",\"match\":\"a/b\",\"key\":\"ip\",\"limits\":[]}, 7]"));
    assertTrue(
        mentions(p, "rateLimit.failMode", "RATE_LIMIT_FAIL_MODE", "not one of local, open, closed"),
        p::toString);
    assertTrue(
        mentions(p, "rateLimit.trustedProxies", "RATE_LIMIT_TRUSTED_PROXIES", "bad prefix length"),
        p::toString);
    assertTrue(
        mentions(
            p,
            "rateLimit.trustedProxies",
            "RATE_LIMIT_TRUSTED_PROXIES",
            "'proxy.local' is not an IP"),
        p::toString);
    assertTrue(has(p, "rateLimit.rules[0].name", "not a rule name"), p::toString);
    assertTrue(has(p, "rateLimit.rules[0].match", "not an HTTP method"), p::toString);
    assertTrue(has(p, "rateLimit.rules[0].key", "not one of ip, user, user_or_ip"), p::toString);
    assertTrue(has(p, "rateLimit.rules[0].limits", "'5 per minute' is not a limit"), p::toString);
    assertTrue(has(p, "rateLimit.rules[1].limits", "share the window"), p::toString);
    assertTrue(has(p, "rateLimit.rules[1].burst", "unknown rule field"), p::toString);
    assertTrue(has(p, "rateLimit.rules[2].match", "is not a match like"), p::toString);
    assertTrue(has(p, "rateLimit.rules[2].limits", "at least one limit"), p::toString);
    assertTrue(has(p, "rateLimit.rules[3]", "expected a rule"), p::toString);
    assertTrue(
        has(
            problems(Map.of("RATE_LIMIT_RULES", "{not json")),
            "rateLimit.rules",
            "expected a list of rules"));
  }

  @Test
  void productionRefusesAnEmptyRuleList() {
    assertTrue(
        has(
            problems(production(Map.of("RATE_LIMIT_RULES", "[]"))),
            "rateLimit.rules",
            "at least one rate-limit rule"));
  }

  @Test
  void twoRulesCannotShareAName() {
    String rule = "{\"name\":\"same\",\"match\":\"/**\",\"key\":\"ip\",\"limits\":[\"1/1m\"]}";
    assertTrue(
        has(
            problems(Map.of("RATE_LIMIT_RULES", "[" + rule + "," + rule + "]")),
            "rateLimit.rules[1].name",
            "more than one rule"));
  }

  private static boolean has(List<ConfigProblem> problems, String key, String fragment) {
    return problems.stream().anyMatch(p -> p.key().equals(key) && p.message().contains(fragment));
  }

  @Test
  void bcryptWorkersDefaultToHalfTheCoresSoEventLoopsKeepTheRest() {
    assertEquals(1, HasherConfig.defaultInstances(1));
    assertEquals(1, HasherConfig.defaultInstances(2));
    assertEquals(1, HasherConfig.defaultInstances(3));
    assertEquals(4, HasherConfig.defaultInstances(8));
  }

  @Test
  void frontendUrlAddsItsOriginToTheCorsOrigins() {
    BulwarkConfig c =
        load(
            Map.of(
                "CORS_ORIGINS",
                "https://a.example",
                "FRONTEND_URL",
                "HTTP://Localhost:5173/tasks?x=1"),
            Map.of());
    assertEquals(List.of("https://a.example", "http://localhost:5173"), c.corsOrigins());
    assertEquals(
        List.of("https://a.example"),
        load(
                Map.of("CORS_ORIGINS", "https://a.example", "FRONTEND_URL", "https://a.example/"),
                Map.of())
            .corsOrigins(),
        "no duplicate");
    for (String bad :
        new String[] {
          "app.example.com", "ftp://app.example.com", "https://user@app.example.com", "*"
        }) {
      List<ConfigProblem> p = problems(Map.of("FRONTEND_URL", bad));
      assertTrue(
          p.stream()
              .anyMatch(
                  x -> x.key().equals("cors.frontendUrl") && x.toString().contains("FRONTEND_URL")),
          bad + ": " + p);
    }
  }

  @Test
  void theS3BackendNeedsABucketAndCredentialsAndNeverShowsTheSecret() {
    List<ConfigProblem> p = problems(production(Map.of("STORAGE_BACKEND", "s3")));
    assertTrue(mentions(p, "storage.s3.bucket", "S3_BUCKET", "is required"), p::toString);
    assertTrue(
        mentions(p, "storage.s3.accessKeyId", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"),
        p::toString);
    String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    Map<String, String> env =
        production(
            Map.of(
                "STORAGE_BACKEND", "s3",
                "S3_BUCKET", "attachments",
                "S3_REGION", "eu-west-1",
                "S3_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE",
                "S3_SECRET_ACCESS_KEY", secret));
    StorageConfig.S3 s3 = load(env, Map.of()).storage().s3();
    assertEquals("attachments", s3.bucket());
    assertEquals("https://s3.eu-west-1.amazonaws.com", s3.endpoint().toString());
    assertFalse(s3.pathStyle(), "AWS itself: virtual-host addressing");
    assertFalse(s3.toString().contains(secret));
    JsonObject shown =
        EffectiveConfig.redacted(
            Await.result(new ConfigLoader(vertx, Path.of("conf")).loadEffective(env, Map.of())));
    assertFalse(shown.encode().contains(secret), shown::encode);
    assertEquals(
        "***", shown.getJsonObject("storage").getJsonObject("s3").getString("secretAccessKey"));
  }
}
