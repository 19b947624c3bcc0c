package dev.bulwark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.core.FieldError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * New-password rules at their edges: 8 to 256 characters as a person counts them (code points after
 * NFKC, not bytes of UTF-8, not UTF-16 units) and not a common password (ASVS 6.2.1, 6.2.9).
 */
class PasswordPolicyTest {
  private static final String EIGHT = "Zq7#mK2p";

  private static FieldError check(String typed) {
    return PasswordPolicy.check("password", PasswordPolicy.normalize(typed));
  }

  @Test
  void exactlyEightCharactersIsAccepted() {
    assertNull(check(EIGHT));
  }

  @Test
  void sevenCharactersIsTooShort() {
    assertRejected("password_too_short", EIGHT.substring(1));
    assertRejected("password_too_short", "");
  }

  @Test
  void threeMultiByteCharactersAreThreeCharactersNotNineBytes() {
    assertEquals(9, "€€€".getBytes(StandardCharsets.UTF_8).length);
    FieldError e = assertRejected("password_too_short", "€€€");
    assertTrue(e.message().contains("8 characters"), e.message());
    // two emoji: 8 bytes of UTF-8, 4 UTF-16 units, 2 characters
    assertRejected("password_too_short", "😀🔑");
    assertNull(check("😀🔑😀🔑😀🔑😀🔑"), "8 emoji are 8 characters");
    assertRejected("password_too_short", "😀🔑😀🔑😀🔑😀");
  }

  @Test
  void aLongNonAsciiPassphraseIsAccepted() {
    // 64 characters, 192 bytes of UTF-8: far past bcrypt's 72 bytes
    String euros = "€".repeat(64);
    assertEquals(192, euros.getBytes(StandardCharsets.UTF_8).length);
    assertNull(check(euros));
    String greek = "Ωραίος καιρός σήμερα στην Αθήνα, πάμε βόλτα στην Ακρόπολη μετά!";
    assertTrue(
        greek.codePointCount(0, greek.length()) >= 60
            && greek.getBytes(StandardCharsets.UTF_8).length > 72);
    assertNull(check(greek));
    assertNull(check("長い日本語のパスフレーズも七十二バイトを超えて大丈夫です。"));
  }

  @Test
  void twoHundredFiftySixCharactersIsTheMostAccepted() {
    assertNull(check("a1b2c3d4".repeat(32)));
    FieldError e = assertRejected("password_too_long", "a1b2c3d4".repeat(32) + "x");
    assertTrue(e.message().contains("256") && e.message().contains("257"), e.message());
    assertNull(check("😀".repeat(256)), "256 emoji = 512 UTF-16 units, 1024 bytes, 256 characters");
    assertRejected("password_too_long", "😀".repeat(257));
  }

  @Test
  void decomposedAccentsCountAsTheCharacterTheyCompose() {
    // "e" + COMBINING ACUTE ACCENT is one character after NFKC
    String decomposed = "e\u0301";
    assertRejected("password_too_short", decomposed.repeat(7));
    assertNull(check(decomposed.repeat(8)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "password",
        "password1",
        "PASSWORD1",
        "PassWord1",
        "qwerty123",
        "QwErTy123",
        "abcdefgh",
        "qwertyuiop"
      })
  void commonPasswordsAreRefusedWhateverTheirCase(String p) {
    FieldError e = check(p);
    assertNotNull(e, p);
    assertEquals("password_too_common", e.code(), p);
    assertEquals("password", e.field());
  }

  @Test
  void aCommonPasswordShorterThanTheMinimumIsReportedAsTooShort() {
    assertRejected("password_too_short", "abc123");
  }

  @Test
  void aCommonPasswordWithSomethingAddedIsNotCommon() {
    assertNull(check("password1-Zq7#"));
  }

  @Test
  void theProblemNamesTheFieldItWasAskedAbout() {
    assertEquals("new_password", PasswordPolicy.check("new_password", "short").field());
    assertEquals("new_password", PasswordPolicy.check("new_password", "x".repeat(257)).field());
    assertEquals("new_password", PasswordPolicy.check("new_password", "password1").field());
  }

  private static FieldError assertRejected(String code, String typed) {
    FieldError e = check(typed);
    assertNotNull(e, () -> "accepted '" + typed + "'");
    assertEquals(code, e.code());
    assertEquals("password", e.field());
    return e;
  }
}
