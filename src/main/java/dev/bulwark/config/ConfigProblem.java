package dev.bulwark.config;

/**
 * One reason the configuration cannot be used, named by its config key and the variable that sets
 * it.
 */
public record ConfigProblem(String key, String message) {

  @Override
  public String toString() {
    String env = ConfigKeys.envVarFor(key);
    String where = env == null ? key : key + " (env " + env + ")";
    return where + ": " + message;
  }
}
