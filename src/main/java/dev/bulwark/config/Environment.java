package dev.bulwark.config;

import java.util.Locale;
import java.util.Optional;

/**
 * The deployment profile; selects {@code conf/application-<name>.yaml} and how strict start-up is.
 */
public enum Environment {
  DEVELOPMENT,
  STAGING,
  PRODUCTION;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Strict profiles refuse unsafe configuration instead of falling back to developer conveniences.
   */
  public boolean isStrict() {
    return this != DEVELOPMENT;
  }

  public static Optional<Environment> parse(String value) {
    for (Environment e : values()) {
      if (e.id().equals(value)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }
}
