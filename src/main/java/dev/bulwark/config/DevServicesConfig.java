package dev.bulwark.config;

import java.nio.file.Path;

/** Embedded PostgreSQL and Redis for development, used only when the URLs are unset. */
public record DevServicesConfig(Path dataDir, int postgresPort, int redisPort) {

  static DevServicesConfig read(ConfigReader r) {
    return new DevServicesConfig(
        Path.of(r.string("devServices.dataDir", ".bulwark/dev-data")).toAbsolutePath().normalize(),
        r.intIn("devServices.postgresPort", 55432, 1, 65535),
        r.intIn("devServices.redisPort", 56379, 1, 65535));
  }
}
