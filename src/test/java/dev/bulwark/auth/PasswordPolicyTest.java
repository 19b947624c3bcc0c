package dev.bulwark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.http.FieldError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** New-password rules at their edges: 8 to 72 bytes of UTF-8 (bytes, not characters) and not a common password. */
class PasswordPolicyTest {
  private static final String EIGHT = "Zq7#mK2p";

  @Test
  void exactlyEightBytesIsAccepted() {
    assertBytes(8, EIGHT);
    assertNull(PasswordPolicy.check("password", EIGHT));
  }

  @Test
  void sevenBytesIsTooShort() {
    assertRejected("password_too_short", EIGHT.substring(1), 7);
    assertRejected("password_too_short", "", 0);
  }

  @Test
  void exactlySeventyTwoBytesIsAccepted() {
    String p = EIGHT.repeat(9);
    assertBytes(72, p);
    assertNull(PasswordPolicy.check("password", p));
  }

  @Test
  void seventyThreeBytesIsTooLongAndTheMessageSaysHowLong() {
    FieldError e = assertRejected("password_too_long", EIGHT.repeat(9) + "x", 73);
    assertTrue(e.message().contains("73"), e.message());
    assertTrue(e.message().contains("72"), e.message());
  }

  @Test
  void shortInCharactersButLongEnoughInBytesIsAccepted() {
    // 3 characters, 9 bytes: a character count would refuse it
    assertEquals(3, "€€€".length());
    assertBytes(9, "€€€");
    assertNull(PasswordPolicy.check("password", "€€€"));
    // two 4-byte code points (4 UTF-16 chars) = exactly 8 bytes
    assertBytes(8, "😀🔑");
    assertNull(PasswordPolicy.check("password", "😀🔑"));
  }

  @Test
  void threeByteCharactersAtTheUpperEdge() {
    String p72 = "€".repeat(24);
    assertBytes(72, p72);
    assertNull(PasswordPolicy.check("password", p72));
    assertRejected("password_too_long", p72 + "a", 73);
    // 25 characters but 75 bytes: a character count would accept it
    assertEquals(25, "€".repeat(25).length());
    assertRejected("password_too_long", "€".repeat(25), 75);
  }

  @Test
  void twoAndFourByteCharactersAtTheUpperEdge() {
    assertNull(PasswordPolicy.check("password", "é".repeat(36)));
    assertRejected("password_too_long", "é".repeat(36) + "a", 73);
    assertNull(PasswordPolicy.check("password", "😀".repeat(18)));
    assertRejected("password_too_long", "😀".repeat(18) + "a", 73);
  }

  @Test
  void decomposedAccentsCountTheirCombiningMarks() {
    // "e" + COMBINING ACUTE ACCENT: one visible character, 3 bytes
    String decomposed = "e\u0301";
    assertBytes(3, decomposed);
    assertRejected("password_too_long", decomposed.repeat(24) + "a", 73);
    assertRejected("password_too_short", decomposed + decomposed, 6);
  }

  @ParameterizedTest
  @ValueSource(strings = {"password", "password1", "PASSWORD1", "PassWord1", "qwerty123", "QwErTy123", "abcdefgh", "qwertyuiop"})
  void commonPasswordsAreRefusedWhateverTheirCase(String p) {
    FieldError e = PasswordPolicy.check("password", p);
    assertNotNull(e, p);
    assertEquals("password_too_common", e.code(), p);
    assertEquals("password", e.field());
  }

  @Test
  void aCommonPasswordShorterThanTheMinimumIsReportedAsTooShort() {
    assertRejected("password_too_short", "abc123", 6);
  }

  @Test
  void aCommonPasswordWithSomethingAddedIsNotCommon() {
    assertNull(PasswordPolicy.check("password", "password1-Zq7#"));
  }

  @Test
  void theProblemNamesTheFieldItWasAskedAbout() {
    assertEquals("new_password", PasswordPolicy.check("new_password", "short").field());
    assertEquals("new_password", PasswordPolicy.check("new_password", "x".repeat(73)).field());
    assertEquals("new_password", PasswordPolicy.check("new_password", "password1").field());
  }

  private static FieldError assertRejected(String code, String password, int expectedBytes) {
    assertBytes(expectedBytes, password);
    FieldError e = PasswordPolicy.check("password", password);
    assertNotNull(e, () -> "accepted a password of " + expectedBytes + " bytes");
    assertEquals(code, e.code());
    assertEquals("password", e.field());
    return e;
  }

  private static void assertBytes(int expected, String s) {
    assertEquals(expected, s.getBytes(StandardCharsets.UTF_8).length, "test input has the wrong byte length");
  }
}
