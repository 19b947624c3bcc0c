package dev.bulwark.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * The {@code mfa_token} a correct password answers when the account has a second factor: 256 random
 * bits naming this one login attempt of this one user, kept only as its SHA-256 in PostgreSQL. It
 * lives {@link #TTL}, allows {@link #MAX_ATTEMPTS} attempts (counted by the statement that reads
 * it) and is consumed by the verify that succeeds. It is deliberately not bound to the client
 * address: a phone changes networks between the two steps.
 */
public final class MfaChallenges {
  public static final Duration TTL = Duration.ofMinutes(5);
  public static final int MAX_ATTEMPTS = 5;
  private static final int TOKEN_BYTES = 32;
  private static final int TOKEN_CHARS = 43;
  static final JsonArray METHODS = new JsonArray().add("totp").add("recovery_code");

  private final SecureRandom random = new SecureRandom();
  private final Clock clock;

  public MfaChallenges(Clock clock) {
    this.clock = clock;
  }

  /** The second step of a login, as answered to the client. */
  public record Challenge(String mfaToken, long expiresIn) implements SignInAnswer {
    @Override
    public Buffer toBuffer() {
      return new JsonObject()
          .put("mfa_required", true)
          .put("mfa_token", mfaToken)
          .put("methods", METHODS.copy())
          .put("expires_in", expiresIn)
          .toBuffer();
    }
  }

  /**
   * A challenge for a login whose first factor ({@code pwd} or {@code sms}) checked out, with
   * {@code sql} (a pool, or the connection of the caller's transaction).
   */
  Future<Challenge> start(SqlClient sql, UUID userId, String deviceName, String firstFactor) {
    byte[] raw = new byte[TOKEN_BYTES];
    random.nextBytes(raw);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    Instant now = SessionLifetime.now(clock);
    return MfaRepository.insertChallenge(
            sql,
            hash(token),
            userId,
            deviceName,
            SessionLifetime.at(now),
            SessionLifetime.at(now.plus(TTL)),
            firstFactor)
        .map(v -> new Challenge(token, TTL.toSeconds()));
  }

  /** Whether {@code token} could be one this server issued (length and alphabet only). */
  static boolean looksValid(String token) {
    if (token == null || token.length() != TOKEN_CHARS) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static byte[] hash(String token) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
