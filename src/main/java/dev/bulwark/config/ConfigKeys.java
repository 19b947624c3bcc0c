package dev.bulwark.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment variables operators already use for backends of this kind, and the config key
 * each sets. Anything else can be set with {@code -D<key>=<value>} (for example {@code
 * -Dhttp.bodyLimit=128KiB}).
 */
public final class ConfigKeys {
  private static final Map<String, String> ENV_TO_KEY = new LinkedHashMap<>();
  private static final Map<String, String> KEY_TO_ENV = new LinkedHashMap<>();

  static {
    map("ENVIRONMENT", "environment");
    map("HTTP_HOST", "http.host");
    map("HTTP_PORT", "http.port");
    map("HTTP_INSTANCES", "http.instances");
    map("ALLOWED_HOSTS", "http.allowedHosts");
    map("DATABASE_URL", "database.url");
    map("DATABASE_POOL_SIZE", "database.poolSize");
    map("DATABASE_READ_CONNECTIONS", "database.readConnections");
    map("DATABASE_MAX_WAIT_QUEUE", "database.maxWaitQueue");
    map("DATABASE_CA_FILE", "database.caFile");
    map("DATABASE_MIGRATE_ON_START", "database.migrateOnStart");
    map("DATABASE_PGBOUNCER", "database.pgbouncer");
    map("REDIS_URL", "redis.url");
    map("REDIS_POOL_SIZE", "redis.poolSize");
    map("REDIS_CA_FILE", "redis.caFile");
    map("REDIS_MODE", "redis.mode");
    map("REDIS_NODES", "redis.nodes");
    map("REDIS_MASTER_NAME", "redis.masterName");
    map("DEV_DATA_DIR", "devServices.dataDir");
    map("JWT_SECRET_KEY", "jwt.secret");
    map("JWT_ALGORITHM", "jwt.algorithm");
    map("JWT_PRIVATE_KEY", "jwt.privateKey");
    map("JWT_PUBLIC_KEY", "jwt.publicKey");
    map("JWT_KEY_ID", "jwt.keyId");
    map("JWT_PREVIOUS_PUBLIC_KEYS", "jwt.previousPublicKeys");
    map("JWT_ISSUER", "jwt.issuer");
    map("JWT_AUDIENCE", "jwt.audience");
    map("ACCESS_TOKEN_EXPIRE_MINUTES", "jwt.accessTokenMinutes");
    map("REFRESH_TOKEN_EXPIRE_DAYS", "auth.refreshTokenDays");
    map("SESSION_MAX_AGE", "auth.sessionMaxAge");
    map("PASSWORD_PEPPER", "auth.passwordPepper");
    map("BCRYPT_ROUNDS", "hasher.rounds");
    map("HASHER_INSTANCES", "hasher.instances");
    map("HASHER_IDLE", "hasher.idle");
    map("CORS_ORIGINS", "cors.origins");
    map("FRONTEND_URL", "cors.frontendUrl");
    map("RATE_LIMIT_ENABLED", "rateLimit.enabled");
    map("RATE_LIMIT_FAIL_MODE", "rateLimit.failMode");
    map("RATE_LIMIT_TRUSTED_PROXIES", "rateLimit.trustedProxies");
    map("RATE_LIMIT_RULES", "rateLimit.rules");
    map("ENABLE_DOCS", "docs.enabled");
    map("LOG_LEVEL", "logging.level");
    map("LOG_FORMAT", "logging.format");
    map("METRICS_PORT", "metrics.port");
    map("METRICS_TOKEN", "metrics.token");
    map("SMTP_URL", "mail.smtpUrl");
    map("SMTP_STARTTLS", "mail.starttls");
    map("MAIL_FROM", "mail.from");
    map("SMS_GATEWAY_URL", "sms.gatewayUrl");
    map("SMS_GATEWAY_ADAPTER", "sms.adapter");
    map("SMS_GATEWAY_USER", "sms.username");
    map("SMS_GATEWAY_TOKEN", "sms.token");
    map("SMS_FROM", "sms.from");
    map("PUBLIC_BASE_URL", "links.publicBaseUrl");
    map("SIGNUP_MODE", "auth.signupMode");
    map("PHONE_SIGNUP", "auth.phoneSignup");
    map("SMS_ALLOWED_COUNTRIES", "sms.allowedCountries");
    map("SMS_HOURLY_BUDGET", "sms.hourlyBudget");
    map("MAX_FILE_SIZE", "storage.maxFileSize");
    map("ALLOWED_FILE_TYPES", "storage.allowedTypes");
    map("STORAGE_BACKEND", "storage.backend");
    map("S3_BUCKET", "storage.s3.bucket");
    map("S3_REGION", "storage.s3.region");
    map("S3_ENDPOINT", "storage.s3.endpoint");
    map("S3_ACCESS_KEY_ID", "storage.s3.accessKeyId");
    map("S3_SECRET_ACCESS_KEY", "storage.s3.secretAccessKey");
    map("S3_SESSION_TOKEN", "storage.s3.sessionToken");
    map("MFA_ENCRYPTION_KEY", "mfa.encryptionKey");
    map("MFA_KEY_ID", "mfa.keyId");
    map("MFA_RETIRED_KEYS", "mfa.retiredKeys");
    map("REQUIRE_MFA_FOR_ROLES", "auth.requireMfaForRoles");
    map("OTEL_EXPORTER_OTLP_ENDPOINT", "tracing.endpoint");
    map("OTEL_SERVICE_NAME", "tracing.serviceName");
    map("OTEL_TRACES_SAMPLER", "tracing.sampler");
    map("OTEL_TRACES_SAMPLER_ARG", "tracing.samplerArg");
    map("SENTRY_DSN", "sentry.dsn");
    map("SENTRY_ENVIRONMENT", "sentry.environment");
    map("SENTRY_RELEASE", "sentry.release");
  }

  private ConfigKeys() {}

  private static void map(String env, String key) {
    ENV_TO_KEY.put(env, key);
    KEY_TO_ENV.put(key, env);
  }

  public static Map<String, String> envToKey() {
    return ENV_TO_KEY;
  }

  public static String envVarFor(String key) {
    return KEY_TO_ENV.get(key);
  }

  /** Keys whose values are secrets and must never be printed. */
  public static boolean isSecret(String key) {
    return key.equals("jwt.secret")
        || key.equals("jwt.privateKey")
        || key.equals("metrics.token")
        || key.equals("auth.passwordPepper")
        || key.equals("mail.smtpUrl")
        || key.equals("sms.token")
        || key.equals("mfa.encryptionKey")
        || key.equals("mfa.retiredKeys")
        || key.equals("sentry.dsn")
        || key.equals("storage.s3.secretAccessKey")
        || key.equals("storage.s3.sessionToken")
        || key.endsWith("password");
  }
}
