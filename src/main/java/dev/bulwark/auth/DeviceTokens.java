package dev.bulwark.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Device tokens: proof that a device has signed in to an account before, so the brute-force brake
 * can tell the account's owner from strangers (the "device cookie" of OWASP's guidance on account
 * lockout). Each successful signup or login answers a new one; a login that presents a valid one
 * for that account is braked per device, never by the per-address or per-account brake strangers
 * trip. Stateless: 16 random bytes (the device id) and the issue time, MAC'd (HMAC-SHA-256, key
 * derived from the signing secret) together with the account id, so a token is only good for the
 * account it was issued to and cannot be forged or altered; it grants nothing but that exemption.
 */
public final class DeviceTokens {
  private static final int ID_BYTES = 16;
  private static final int MAC_BYTES = 16;
  private static final int PAYLOAD_BYTES = ID_BYTES + Long.BYTES;

  /** base64url of id + issue time + MAC. */
  static final int LENGTH = (PAYLOAD_BYTES + MAC_BYTES) * 4 / 3 + 1;

  /** Another instance's clock may run a little ahead of this one's. */
  private static final long CLOCK_SKEW_SECONDS = 300;

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final SecretKeySpec key;
  private final Duration validity;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public DeviceTokens(String signingSecret, Duration validity, Clock clock) {
    this.key =
        new SecretKeySpec(
            hmac(
                new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"),
                "bulwark device-token v1".getBytes(StandardCharsets.UTF_8)),
            "HmacSHA256");
    this.validity = validity;
    this.clock = clock;
  }

  /** A new token for a device that just proved it knows the account's password. */
  public String issue(UUID userId) {
    byte[] payload =
        ByteBuffer.allocate(PAYLOAD_BYTES)
            .put(randomId())
            .putLong(clock.instant().getEpochSecond())
            .array();
    return B64.encodeToString(
        ByteBuffer.allocate(PAYLOAD_BYTES + MAC_BYTES)
            .put(payload)
            .put(mac(userId, payload))
            .array());
  }

  /**
   * The device id (hex) when {@code token} was issued by this server to this account and is still
   * within its validity; otherwise null — a missing, malformed, forged, expired or another
   * account's token is just no proof.
   */
  public String deviceOf(String token, UUID userId) {
    if (token == null || userId == null || token.length() != LENGTH) {
      return null;
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (raw.length != PAYLOAD_BYTES + MAC_BYTES) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(raw);
    byte[] payload = new byte[PAYLOAD_BYTES];
    byte[] presented = new byte[MAC_BYTES];
    b.get(payload).get(presented);
    if (!MessageDigest.isEqual(mac(userId, payload), presented)) {
      return null;
    }
    long issued = ByteBuffer.wrap(payload, ID_BYTES, Long.BYTES).getLong();
    long age = clock.instant().getEpochSecond() - issued;
    if (age < -CLOCK_SKEW_SECONDS || age > validity.toSeconds()) {
      return null;
    }
    return HexFormat.of().formatHex(payload, 0, ID_BYTES);
  }

  private byte[] randomId() {
    byte[] id = new byte[ID_BYTES];
    random.nextBytes(id);
    return id;
  }

  private byte[] mac(UUID userId, byte[] payload) {
    byte[] data =
        ByteBuffer.allocate(2 * Long.BYTES + payload.length)
            .putLong(userId.getMostSignificantBits())
            .putLong(userId.getLeastSignificantBits())
            .put(payload)
            .array();
    byte[] full = hmac(key, data);
    byte[] cut = new byte[MAC_BYTES];
    System.arraycopy(full, 0, cut, 0, MAC_BYTES);
    return cut;
  }

  private static byte[] hmac(SecretKeySpec key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
