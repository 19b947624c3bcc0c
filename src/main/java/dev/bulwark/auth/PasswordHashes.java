package dev.bulwark.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The stored password-hash format, and the only code that computes one. Blocking (bcrypt): call it
 * from the hasher worker, never from an event loop.
 *
 * <ul>
 *   <li>Current, {@code $hmac1$2a$<cost>$<salt and digest>}: bcrypt of the base64 of
 *       HMAC-SHA-256(pepper, UTF-8 of the NFKC password). The HMAC lifts bcrypt's 72-byte limit
 *       (any length hashes to 44 ASCII characters, and base64 has no NUL for bcrypt to stop at) and
 *       keys every hash with a secret kept apart from the database, so a stolen table cannot be
 *       attacked offline without it.
 *   <li>Legacy, a plain {@code $2a$/$2b$/$2y$} bcrypt of the password's UTF-8 bytes (at most 72):
 *       still verified, and reported stale so a successful login upgrades it.
 * </ul>
 *
 * A hash at a cost other than the configured one is stale too: changing {@code BCRYPT_ROUNDS}
 * re-hashes each account at its next successful login.
 */
public final class PasswordHashes {
  /**
   * Version 1, HMAC-SHA-256 under the pepper, base64, then bcrypt: {@code $hmac1$2a$12$<salt and
   * digest>}.
   */
  static final String PREFIX = "$hmac1";

  /** The most a legacy (pre-HMAC) hash can have taken: bcrypt reads no further. */
  static final int LEGACY_MAX_BYTES = 72;

  private static final int BCRYPT_LENGTH = 60;

  private final SecretKeySpec pepper;
  private final int rounds;
  private final SecureRandom random = new SecureRandom();

  public PasswordHashes(String pepper, int rounds) {
    this.pepper = new SecretKeySpec(pepper.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.rounds = rounds;
  }

  /**
   * What a verification found: whether it matched, and whether the stored hash should be replaced.
   */
  public record Check(boolean matches, boolean stale) {}

  public String hash(String password) {
    return PREFIX
        + new String(
            BCrypt.withDefaults().hash(rounds, prehash(password)), StandardCharsets.US_ASCII);
  }

  /**
   * Checks a password against a stored hash. A mismatch against a hash cheaper than the configured
   * cost is padded with bcrypt work up to that cost (2^c = 2^old + 2^old + 2^(old+1) + ... +
   * 2^(c-1)), so a failed login costs the same whether the account's hash is current, out of date,
   * or the unknown-email decoy: the time a wrong password takes does not tell which accounts exist.
   */
  public Check verify(String password, String stored) {
    Parsed p = parse(stored);
    if (p == null) {
      burn(rounds, rounds + 1);
      return new Check(false, false);
    }
    boolean matches;
    if (p.versioned()) {
      matches = bcrypt(prehash(password), p.bcrypt());
    } else {
      byte[] raw = password.getBytes(StandardCharsets.UTF_8);
      matches = raw.length <= LEGACY_MAX_BYTES && bcrypt(raw, p.bcrypt());
      if (raw.length > LEGACY_MAX_BYTES) {
        burn(p.cost(), p.cost() + 1); // the verification skipped, so this answer is no faster
      }
    }
    if (!matches) {
      burn(p.cost(), rounds);
    }
    return new Check(matches, matches && (!p.versioned() || p.cost() != rounds));
  }

  /**
   * A well-formed current-version hash at {@code rounds} that matches no password: verifying
   * against it costs what verifying a current hash costs, so login for an unknown email is no
   * faster than for a known one. Built from a cheap cost-4 hash whose cost field is rewritten (salt
   * and digest stay valid bcrypt base64).
   */
  public static String decoy(int rounds) {
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    String cheap =
        BCrypt.withDefaults().hashToString(4, HexFormat.of().formatHex(random).toCharArray());
    return PREFIX + cheap.substring(0, 4) + String.format("%02d", rounds) + cheap.substring(6);
  }

  /** The 44 ASCII bytes bcrypt sees: base64 of HMAC-SHA-256(pepper, password). */
  byte[] prehash(String password) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(pepper);
      return Base64.getEncoder().encode(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Parsed(boolean versioned, int cost, byte[] bcrypt) {}

  /** The parts of a stored hash, or null when it is no hash this code wrote. */
  private static Parsed parse(String stored) {
    if (stored == null) {
      return null;
    }
    boolean versioned = stored.startsWith(PREFIX + "$");
    String bcrypt = versioned ? stored.substring(PREFIX.length()) : stored;
    if (bcrypt.length() != BCRYPT_LENGTH || !bcrypt.matches("\\$2[aby]\\$\\d\\d\\$.*")) {
      return null;
    }
    int cost = Integer.parseInt(bcrypt.substring(4, 6));
    if (cost < 4 || cost > 31) {
      return null;
    }
    return new Parsed(versioned, cost, bcrypt.getBytes(StandardCharsets.US_ASCII));
  }

  private static boolean bcrypt(byte[] password, byte[] hash) {
    return BCrypt.verifyer().verify(password, hash).verified;
  }

  /** bcrypt work at each cost from {@code from} up to, not including, {@code to}. */
  private void burn(int from, int to) {
    byte[] salt = new byte[16];
    for (int cost = Math.max(4, from); cost < to; cost++) {
      random.nextBytes(salt);
      BCrypt.withDefaults().hash(cost, salt, salt);
    }
  }
}
