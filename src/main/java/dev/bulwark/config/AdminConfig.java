package dev.bulwark.config;

/**
 * The administration API: whether its routes answer 404, as if they did not exist, to callers
 * without a staff role (on by default in production), rather than 403.
 */
public record AdminConfig(boolean hideFromNonStaff) {
  static AdminConfig read(ConfigReader r, Environment environment) {
    return new AdminConfig(r.bool("admin.hideFromNonStaff", environment == Environment.PRODUCTION));
  }
}
