package dev.bulwark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.MfaConfig;
import dev.bulwark.core.Role;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** TOTP arithmetic, recovery codes and secret sealing, without a server. */
class TotpTest {
  private static final byte[] SEED20 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEED32 =
      "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEED64 =
      ("1234567890123456789012345678901234567890123456789012345678901234")
          .getBytes(StandardCharsets.US_ASCII);

  /** RFC 6238 Appendix B: every time and algorithm of the table, 8 digits. */
  @Test
  void rfc6238AppendixBVectors() {
    long[] times = {59L, 1111111109L, 1111111111L, 1234567890L, 2000000000L, 20000000000L};
    String[] sha1 = {"94287082", "07081804", "14050471", "89005924", "69279037", "65353130"};
    String[] sha256 = {"46119246", "68084774", "67062674", "91819424", "90698825", "77737706"};
    String[] sha512 = {"90693936", "25091201", "99943326", "93441116", "38618901", "47863826"};
    for (int i = 0; i < times.length; i++) {
      long step = Totp.step(Instant.ofEpochSecond(times[i]));
      assertEquals(sha1[i], Totp.code(SEED20, step, 8, "HmacSHA1"), "SHA1 at " + times[i]);
      assertEquals(sha256[i], Totp.code(SEED32, step, 8, "HmacSHA256"), "SHA256 at " + times[i]);
      assertEquals(sha512[i], Totp.code(SEED64, step, 8, "HmacSHA512"), "SHA512 at " + times[i]);
      // what the server uses: SHA-1, the last six digits of the same truncation
      assertEquals(sha1[i].substring(2), Totp.code(SEED20, step));
    }
  }

  @Test
  void oneStepOfSkewIsAcceptedTwoAreNot() {
    long now = Totp.step(Instant.ofEpochSecond(1_924_992_000L));
    assertEquals(now - 1, Totp.match(SEED20, Totp.code(SEED20, now - 1), now, 1));
    assertEquals(now + 1, Totp.match(SEED20, Totp.code(SEED20, now + 1), now, 1));
    assertEquals(now, Totp.match(SEED20, Totp.code(SEED20, now), now, 1));
    assertEquals(-1, Totp.match(SEED20, Totp.code(SEED20, now - 2), now, 1));
    assertEquals(-1, Totp.match(SEED20, Totp.code(SEED20, now + 2), now, 1));
    assertEquals(-1, Totp.match(SEED20, Totp.code(SEED20, now - 1), now, 0));
    assertEquals(now - 2, Totp.match(SEED20, Totp.code(SEED20, now - 2), now, 2));
  }

  @Test
  void codesMustBeSixDigits() {
    assertTrue(Totp.wellFormed("012345"));
    assertFalse(Totp.wellFormed("12345"));
    assertFalse(Totp.wellFormed("1234567"));
    assertFalse(Totp.wellFormed("12a456"));
    assertFalse(Totp.wellFormed("١٢٣٤٥٦")); // Arabic-Indic digits are not ASCII digits
    assertFalse(Totp.wellFormed(null));
  }

  @Test
  void base32IsRfc4648WithoutPadding() {
    assertEquals("MZXW6YTBOI", Totp.base32("foobar".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.base32(SEED20));
  }

  @Test
  void recoveryCodesCarryEightyBitsAndAreStoredHashed() {
    List<String> codes = RecoveryCodes.generate(new SecureRandom());
    assertEquals(RecoveryCodes.COUNT, codes.size());
    assertEquals(codes.size(), new HashSet<>(codes).size());
    for (String code : codes) {
      String normalized = RecoveryCodes.normalize(code);
      assertNotNull(normalized);
      // 16 symbols of a 32-letter alphabet: 80 bits (the issue asks for at least 60)
      assertEquals(16, normalized.length());
      assertEquals(normalized, RecoveryCodes.normalize(code.toLowerCase().replace("-", " ")));
      assertEquals(32, RecoveryCodes.hash(normalized).length);
    }
    assertNull(RecoveryCodes.normalize("ABCD-EFGH-IJKL"));
    assertNull(RecoveryCodes.normalize("ABCD-EFGH-IJKL-MN01")); // 0 and 1 are not base32
  }

  @Test
  void sealedSecretsOpenOnlyForTheirOwnerAndSurviveKeyRotation() {
    UUID user = UUID.randomUUID();
    UUID factor = UUID.randomUUID();
    MfaConfig old = config("old-key-0123456789-0123456789-0123456789", "1", Map.of());
    MfaSecrets before = new MfaSecrets(old);
    MfaSecrets.Sealed sealed = before.seal(SEED20, user, factor);
    assertEquals("1", sealed.keyId());
    assertEquals(
        new String(SEED20, StandardCharsets.US_ASCII),
        new String(before.open("1", sealed.bytes(), user, factor), StandardCharsets.US_ASCII));
    assertNull(before.open("1", sealed.bytes(), UUID.randomUUID(), factor));
    assertNull(before.open("1", sealed.bytes(), user, UUID.randomUUID()));
    byte[] tampered = sealed.bytes().clone();
    tampered[tampered.length - 1] ^= 1;
    assertNull(before.open("1", tampered, user, factor));

    MfaSecrets after =
        new MfaSecrets(
            config(
                "new-key-0123456789-0123456789-0123456789",
                "2",
                Map.of("1", "old-key-0123456789-0123456789-0123456789")));
    assertNotNull(after.open("1", sealed.bytes(), user, factor));
    assertEquals("2", after.seal(SEED20, user, factor).keyId());
    assertNull(
        new MfaSecrets(config("x".repeat(40), "2", Map.of()))
            .open("1", sealed.bytes(), user, factor));
  }

  private static MfaConfig config(String key, String id, Map<String, String> retired) {
    return new MfaConfig(key, id, retired, 1, "Bulwark", Set.<Role>of());
  }
}
