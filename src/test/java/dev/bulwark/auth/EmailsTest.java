package dev.bulwark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shape of an account email at its edges: what is accepted, what it becomes, and what is
 * refused.
 */
class EmailsTest {

  static Stream<Arguments> acceptedAddresses() {
    return Stream.of(
        arguments("first.last+tag@example.com", "first.last+tag@example.com"),
        arguments("user@mail.eu.example.co.uk", "user@mail.eu.example.co.uk"),
        arguments("o'brien@example.ie", "o'brien@example.ie"),
        arguments("mary-jane@my-domain.example.com", "mary-jane@my-domain.example.com"),
        arguments("user123@123example.com", "user123@123example.com"),
        arguments("user@1.example.com", "user@1.example.com"),
        arguments("user@example.photography", "user@example.photography"),
        arguments("x@example.co", "x@example.co"),
        arguments("\"john doe\"@example.com", "\"john doe\"@example.com"),
        arguments("\"a\\\"b@c\"@example.com", "\"a\\\"b@c\"@example.com"),
        arguments("John.Smith@Example.COM", "john.smith@example.com"),
        arguments("\"John Doe\"@EXAMPLE.com", "\"john doe\"@example.com"),
        arguments(" \t user@example.com \t", "user@example.com"),
        arguments("!#$%&'*+/=?^_`{|}~-@example.com", "!#$%&'*+/=?^_`{|}~-@example.com"));
  }

  @ParameterizedTest(name = "[{index}] <{0}>")
  @MethodSource("acceptedAddresses")
  void acceptsUsualAndUnusualAddressesInCanonicalForm(String raw, String canonical) {
    assertEquals(canonical, Emails.normalize(raw));
  }

  @ParameterizedTest(name = "[{index}] <{0}>")
  @ValueSource(
      strings = {
        "",
        "   ",
        "plainaddress",
        "a@b@example.com",
        "@example.com",
        "user@",
        "user@localhost",
        "user@example.com.",
        "user@.example.com",
        "user@example..com",
        ".user@example.com",
        "user.@example.com",
        "us..er@example.com",
        "user name@example.com",
        "user@exa mple.com",
        "user@-example.com",
        "user@example-.com",
        "user@exa_mple.com",
        "user@example.123",
        "user@[127.0.0.1]",
        "user(comment)@example.com",
        "\"unterminated@example.com",
        "\"\"@example.com",
        "üser@example.com",
        "user@exämple.com",
        "user\u0000@example.com",
      })
  void refusesMalformedAddresses(String raw) {
    assertNull(Emails.normalize(raw), raw);
  }

  @Test
  void lengthLimitIs254CharactersOverall() {
    String longest = address(64, 254);
    assertEquals(254, longest.length());
    assertEquals(longest, Emails.normalize(longest));
    assertNull(Emails.normalize(address(64, 255)));
    assertNull(Emails.normalize(address(64, 400)));
  }

  @Test
  void surroundingWhitespaceDoesNotCountTowardsTheLimit() {
    String longest = address(64, 254);
    assertEquals(longest, Emails.normalize("  " + longest + "  "));
  }

  @Test
  void localPartIsAtMost64Characters() {
    assertEquals(address(64, 100), Emails.normalize(address(64, 100)));
    assertNull(Emails.normalize(address(65, 100)));
  }

  @Test
  void domainLabelsAreAtMost63Characters() {
    String label63 = "d".repeat(63);
    assertEquals("u@" + label63 + ".com", Emails.normalize("u@" + label63 + ".com"));
    assertNull(Emails.normalize("u@" + label63 + "d.com"));
  }

  /**
   * An address of exactly {@code total} characters whose local part has {@code localLength}
   * characters.
   */
  private static String address(int localLength, int total) {
    int body = total - localLength - 1 - ".com".length();
    StringBuilder domain = new StringBuilder();
    while (body > 51) {
      domain.append("d".repeat(50)).append('.');
      body -= 51;
    }
    domain.append("d".repeat(body));
    String result = "l".repeat(localLength) + "@" + domain + ".com";
    assertEquals(total, result.length(), "test helper built the wrong length: " + result);
    return result;
  }
}
