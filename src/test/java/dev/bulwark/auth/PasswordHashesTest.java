package dev.bulwark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The stored hash format: peppered HMAC then bcrypt, legacy hashes still verified, stale ones
 * reported.
 */
class PasswordHashesTest {
  private static final String PEPPER = "test-pepper-0123456789-abcdefghijklmnopqrstuv";
  private final PasswordHashes hashes = new PasswordHashes(PEPPER, 4);

  @Test
  void aHashIsVersionedBcryptAtTheConfiguredCost() {
    String h = hashes.hash("correct horse battery");
    assertTrue(h.startsWith("$hmac1$2a$04$"), h);
    assertEquals(PasswordHashes.PREFIX.length() + 60, h.length());
    assertEquals(new PasswordHashes.Check(true, false), hashes.verify("correct horse battery", h));
    assertEquals(new PasswordHashes.Check(false, false), hashes.verify("correct horse batterY", h));
  }

  @Test
  void everyCharacterOfALongPassphraseCounts() {
    // bcrypt alone reads 72 bytes: these two differ only after the 72nd byte
    String base = "€".repeat(30);
    String a = base + "a";
    String b = base + "b";
    assertTrue(base.getBytes(StandardCharsets.UTF_8).length > 72);
    String h = hashes.hash(a);
    assertTrue(hashes.verify(a, h).matches());
    assertFalse(hashes.verify(b, h).matches(), "the bytes past 72 are not cut off");
  }

  @Test
  void bcryptSeesBase64OfThePepperedHmacNeverANul() {
    byte[] pre = hashes.prehash("pass\u0000word-with-a-nul");
    assertEquals(44, pre.length);
    for (byte c : pre) {
      assertTrue(
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '+'
              || c == '/'
              || c == '=',
          "base64 only");
    }
    assertFalse(
        hashes.verify("pass", hashes.hash("pass\u0000word-with-a-nul")).matches(),
        "nothing stops at a NUL");
  }

  @Test
  void theSameHashDoesNotVerifyUnderAnotherPepper() {
    String h = hashes.hash("correct horse battery");
    PasswordHashes other = new PasswordHashes("another-pepper-0123456789-abcdefghijklmnop", 4);
    assertFalse(other.verify("correct horse battery", h).matches());
  }

  @Test
  void aLegacyPlainBcryptHashStillVerifiesAndIsStale() {
    String legacy = BCrypt.withDefaults().hashToString(4, "legacy-password-1".toCharArray());
    assertEquals(new PasswordHashes.Check(true, true), hashes.verify("legacy-password-1", legacy));
    assertEquals(
        new PasswordHashes.Check(false, false), hashes.verify("legacy-password-2", legacy));
    String y = "$2y$" + legacy.substring(4);
    assertTrue(hashes.verify("legacy-password-1", y).matches(), "$2y$ (PHP) hashes too");
    assertFalse(
        hashes.verify("x".repeat(100), legacy).matches(),
        "longer than bcrypt could ever have taken");
  }

  @Test
  void aHashAtAnotherCostIsStale() {
    String atFive = new PasswordHashes(PEPPER, 5).hash("correct horse battery");
    assertEquals(
        new PasswordHashes.Check(true, true), hashes.verify("correct horse battery", atFive));
    String atFour = hashes.hash("correct horse battery");
    assertEquals(
        new PasswordHashes.Check(true, true),
        new PasswordHashes(PEPPER, 5).verify("correct horse battery", atFour));
  }

  @Test
  void theDecoyIsCurrentAndMatchesNothing() {
    String decoy = PasswordHashes.decoy(12);
    assertTrue(decoy.startsWith("$hmac1$2a$12$"), decoy);
    assertEquals(PasswordHashes.PREFIX.length() + 60, decoy.length());
    String cheap = PasswordHashes.decoy(4);
    assertEquals(new PasswordHashes.Check(false, false), hashes.verify("", cheap));
    assertEquals(new PasswordHashes.Check(false, false), hashes.verify("anything at all", cheap));
  }

  @Test
  void whatIsNoHashMatchesNothingAndDoesNotThrow() {
    for (String junk :
        new String[] {
          null, "", "plain", "$hmac1$", "$2a$99$" + "x".repeat(53), "$hmac1$2a$04$short"
        }) {
      assertEquals(
          new PasswordHashes.Check(false, false),
          hashes.verify("password", junk),
          String.valueOf(junk));
    }
  }
}
