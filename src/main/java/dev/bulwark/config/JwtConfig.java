package dev.bulwark.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Access tokens: signing key, algorithm and the claims verification pins. */
public record JwtConfig(
    String secret,
    String algorithm,
    String issuer,
    String audience,
    Duration accessTokenTtl,
    Duration leeway) {

  public static final int MIN_SECRET_BYTES = 32;

  static JwtConfig read(ConfigReader r) {
    String secret = r.optionalString("jwt.secret");
    if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      r.problem("jwt.secret", "must be at least " + MIN_SECRET_BYTES + " bytes");
    }
    String algorithm = r.string("jwt.algorithm", "HS256");
    if (!algorithm.equals("HS256")) {
      r.problem("jwt.algorithm", "'" + algorithm + "' is not supported (supported: HS256)");
    }
    return new JwtConfig(
        secret,
        algorithm,
        r.string("jwt.issuer", "bulwark"),
        r.string("jwt.audience", "bulwark-api"),
        Duration.ofMinutes(r.intIn("jwt.accessTokenMinutes", 15, 1, 24 * 60)),
        r.duration("jwt.leeway", Duration.ofSeconds(5), Duration.ZERO, Duration.ofMinutes(5)));
  }
}
