package dev.bulwark.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What staging and production refuse to start with — every problem at once, each naming the
 * variable that fixes it: missing service URLs (embedded services are development-only), a missing,
 * short or placeholder signing secret, a placeholder password pepper (or one equal to the signing
 * secret), wildcard CORS, public API docs, debug logging, the development outbox folder instead of
 * an SMTP server, links without a public base URL; and in production, rate limiting switched off
 * and {@code /metrics} open on the API port.
 */
public final class Preflight {
  private static final List<String> PLACEHOLDER_SECRETS =
      List.of(
          "development-only",
          "change-me",
          "changeme",
          "your-secret",
          "secret-key",
          "replace-me",
          "example");

  private Preflight() {}

  static List<ConfigProblem> problems(BulwarkConfig c, ConfigReader r) {
    List<ConfigProblem> out = new ArrayList<>();
    Environment env = c.environment();
    String in = " in " + env.id();
    if (r.optionalString("database.url") == null) {
      out.add(
          new ConfigProblem(
              "database.url",
              "DATABASE_URL is required" + in + " (embedded services are development-only)"));
    }
    if (r.optionalString("redis.url") == null) {
      out.add(
          new ConfigProblem(
              "redis.url",
              "REDIS_URL is required" + in + " (embedded services are development-only)"));
    }
    String secret = c.jwt().secret();
    if (secret == null) {
      out.add(
          new ConfigProblem(
              "jwt.secret",
              "JWT_SECRET_KEY is required"
                  + in
                  + " (at least "
                  + JwtConfig.MIN_SECRET_BYTES
                  + " random bytes)"));
    } else if (isPlaceholder(secret)) {
      out.add(
          new ConfigProblem(
              "jwt.secret",
              "JWT_SECRET_KEY is a default or placeholder value; generate one "
                  + "(for example: openssl rand -base64 48)"));
    }
    String pepper = c.auth().passwordPepper();
    if (!pepper.isEmpty() && isPlaceholder(pepper)) {
      out.add(
          new ConfigProblem(
              "auth.passwordPepper",
              "PASSWORD_PEPPER is a default or placeholder value; generate one "
                  + "(for example: openssl rand -base64 48)"));
    } else if (!pepper.isEmpty() && pepper.equals(secret)) {
      out.add(
          new ConfigProblem(
              "auth.passwordPepper", "PASSWORD_PEPPER must differ from JWT_SECRET_KEY"));
    }
    String mfaKey = c.mfa().encryptionKey();
    if (!mfaKey.isEmpty() && isPlaceholder(mfaKey)) {
      out.add(
          new ConfigProblem(
              "mfa.encryptionKey",
              "MFA_ENCRYPTION_KEY is a default or placeholder value; generate one "
                  + "(for example: openssl rand -base64 48)"));
    } else if (!mfaKey.isEmpty() && (mfaKey.equals(secret) || mfaKey.equals(pepper))) {
      out.add(
          new ConfigProblem(
              "mfa.encryptionKey",
              "MFA_ENCRYPTION_KEY must differ from JWT_SECRET_KEY and PASSWORD_PEPPER"));
    }
    if (c.corsOrigins().contains("*")) {
      out.add(
          new ConfigProblem(
              "cors.origins", "wildcard '*' is not allowed" + in + "; list exact origins"));
    }
    if (c.docsEnabled()) {
      out.add(
          new ConfigProblem("docs.enabled", "API docs must be off" + in + " (ENABLE_DOCS=false)"));
    }
    if (c.logging().level() == LoggingConfig.Level.DEBUG
        || c.logging().level() == LoggingConfig.Level.TRACE) {
      out.add(
          new ConfigProblem(
              "logging.level",
              c.logging().level() + " logging is not allowed" + in + " (LOG_LEVEL=INFO)"));
    }
    if (env == Environment.PRODUCTION && !c.rateLimit().enabled()) {
      out.add(
          new ConfigProblem(
              "rateLimit.enabled",
              "rate limiting cannot be disabled in production (RATE_LIMIT_ENABLED=true)"));
    }
    if (env == Environment.PRODUCTION && c.metrics().onApiPort() && c.metrics().token() == null) {
      out.add(
          new ConfigProblem(
              "metrics.port",
              "/metrics would be public on the API port in production: serve it on a "
                  + "management port (METRICS_PORT, e.g. 9090), require a bearer token (METRICS_TOKEN), or turn it off "
                  + "(-Dmetrics.enabled=false)"));
    }
    if (env == Environment.PRODUCTION
        && c.rateLimit().enabled()
        && c.rateLimit().rules().isEmpty()) {
      out.add(
          new ConfigProblem(
              "rateLimit.rules",
              "production needs at least one rate-limit rule (RATE_LIMIT_RULES)"));
    }
    if (c.outbox().mailToFolder()) {
      out.add(
          new ConfigProblem(
              "mail.smtpUrl",
              "SMTP_URL is required"
                  + in
                  + ": the outbox folder is a development stand-in that delivers nothing"));
    }
    if (c.outbox().smsToFolder() && !c.phone().allowedCountries().isEmpty()) {
      out.add(
          new ConfigProblem(
              "sms.gatewayUrl",
              "SMS_GATEWAY_URL is required"
                  + in
                  + " when phone sign-in serves any country (SMS_ALLOWED_COUNTRIES): the outbox"
                  + " folder is a development stand-in that delivers nothing"));
    }
    if (r.optionalString("links.publicBaseUrl") == null) {
      out.add(
          new ConfigProblem(
              "links.publicBaseUrl",
              "PUBLIC_BASE_URL is required"
                  + in
                  + ": emailed links are built from it, never from a request's Host header"));
    }
    return out;
  }

  /**
   * What staging and production start with but should not, said at start-up and by {@code
   * check-config} without refusing: an empty Host allowlist; PostgreSQL or Redis reached without
   * TLS anywhere but on this machine.
   */
  public static List<ConfigProblem> warnings(BulwarkConfig c) {
    List<ConfigProblem> out = new ArrayList<>();
    if (!c.environment().isStrict()) {
      return out;
    }
    if (c.http().allowedHosts().isEmpty()) {
      out.add(
          new ConfigProblem(
              "http.allowedHosts",
              "empty, so any Host header is answered; list the host names "
                  + "clients use (ALLOWED_HOSTS=api.example.com)"));
    }
    DatabaseUrl db = c.database().url();
    if (db != null && !db.requiresTls() && !isLoopback(db.host())) {
      out.add(
          new ConfigProblem(
              "database.url",
              "connects to "
                  + db.host()
                  + " without TLS (sslmode="
                  + db.sslMode()
                  + "); add ?sslmode=verify-full (and DATABASE_CA_FILE for a private CA)"));
    }
    String redis = c.redis().url();
    if (redis != null && !RedisUrl.isTls(redis)) {
      for (String host : RedisUrl.hosts(redis)) {
        if (!isLoopback(host)) {
          out.add(
              new ConfigProblem(
                  "redis.url",
                  "connects to "
                      + host
                      + " without TLS; use rediss:// "
                      + "(and REDIS_CA_FILE for a private CA)"));
          break;
        }
      }
    }
    return out;
  }

  /**
   * This machine, by name or address (no DNS look-up: a name that merely resolves to 127.0.0.1 does
   * not count).
   */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
  }

  static boolean isPlaceholder(String secret) {
    String s = secret.toLowerCase(Locale.ROOT);
    if (PLACEHOLDER_SECRETS.stream().anyMatch(s::contains)) {
      return true;
    }
    return s.chars().distinct().count() < 8;
  }
}
