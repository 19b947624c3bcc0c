package dev.bulwark.config;

import java.net.URI;

/**
 * Unexpected failures reported to Sentry when a DSN is set ({@code SENTRY_DSN}): tagged with the
 * release and environment, at most {@code maxEventsPerMinute} a minute (the rest only counted).
 */
public record ErrorReportingConfig(
    String dsn, String environment, String release, int maxEventsPerMinute) {

  static ErrorReportingConfig read(ConfigReader r, Environment env) {
    String dsn = r.optionalString("sentry.dsn");
    if (dsn != null) {
      try {
        URI uri = URI.create(dsn);
        if (uri.getScheme() == null
            || uri.getHost() == null
            || uri.getUserInfo() == null
            || uri.getPath() == null
            || uri.getPath().length() < 2) {
          r.problem("sentry.dsn", "must look like https://<key>@<host>/<project>");
        }
      } catch (IllegalArgumentException e) {
        r.problem("sentry.dsn", "must look like https://<key>@<host>/<project>");
      }
    }
    return new ErrorReportingConfig(
        dsn,
        r.string("sentry.environment", env.id()),
        r.optionalString("sentry.release"),
        r.intIn("sentry.maxEventsPerMinute", 30, 1, 10_000));
  }

  public boolean enabled() {
    return dsn != null;
  }

  @Override
  public String toString() {
    return "ErrorReportingConfig[dsn="
        + (dsn == null ? "none" : "***")
        + ", environment="
        + environment
        + ", release="
        + release
        + ", maxEventsPerMinute="
        + maxEventsPerMinute
        + "]";
  }
}
