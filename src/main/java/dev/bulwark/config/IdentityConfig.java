package dev.bulwark.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * Proving an email and recovering a password: whether signup waits for the proof ({@code
 * auth.signupMode}), how long each emailed token lives, how many such emails one address and one
 * client address may cause per window, and how links are built — from {@code links.publicBaseUrl}
 * (or a mobile deep-link template), never from a request's Host header.
 */
public record IdentityConfig(
    SignupMode signupMode,
    Duration verificationTtl,
    Duration resetTtl,
    int emailsPerAddress,
    int emailsPerIp,
    Duration emailWindow,
    String publicBaseUrl,
    String verifyEmailLink,
    String resetPasswordLink) {

  /** immediate: signup answers a token pair; verify-first: 202 until the email is proven. */
  public enum SignupMode {
    IMMEDIATE,
    VERIFY_FIRST
  }

  public static final String TOKEN = "{token}";
  public static final String BASE = "{base}";

  /**
   * The link a message carries for {@code token}, from a template of {@link #BASE}/{@link #TOKEN}.
   */
  public String link(String template, String token) {
    return template.replace(BASE, publicBaseUrl).replace(TOKEN, token);
  }

  static IdentityConfig read(ConfigReader r) {
    String mode = r.string("auth.signupMode", "immediate").toLowerCase(Locale.ROOT);
    SignupMode signupMode =
        switch (mode) {
          case "immediate" -> SignupMode.IMMEDIATE;
          case "verify-first" -> SignupMode.VERIFY_FIRST;
          default -> {
            r.problem("auth.signupMode", "'" + mode + "' is not one of immediate, verify-first");
            yield SignupMode.IMMEDIATE;
          }
        };
    return new IdentityConfig(
        signupMode,
        r.duration(
            "auth.emailVerificationTtl",
            Duration.ofHours(24),
            Duration.ofMinutes(5),
            Duration.ofDays(30)),
        r.duration(
            "auth.passwordResetTtl",
            Duration.ofMinutes(30),
            Duration.ofMinutes(1),
            Duration.ofHours(24)),
        r.intIn("auth.emailLimits.perAddress", 3, 1, 1000),
        r.intIn("auth.emailLimits.perIp", 20, 1, 100_000),
        r.duration(
            "auth.emailLimits.window",
            Duration.ofHours(1),
            Duration.ofSeconds(1),
            Duration.ofDays(1)),
        baseUrl(r),
        template(r, "links.verifyEmail", "{base}/verify-email?token={token}"),
        template(r, "links.resetPassword", "{base}/reset-password?token={token}"));
  }

  private static String baseUrl(ConfigReader r) {
    String url = r.string("links.publicBaseUrl", "http://localhost:8080");
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
        r.problem("links.publicBaseUrl", "expected an absolute http(s) URL");
      }
    } catch (URISyntaxException e) {
      r.problem("links.publicBaseUrl", "is not a URL");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static String template(ConfigReader r, String key, String fallback) {
    String t = r.string(key, fallback);
    if (!t.contains(TOKEN)) {
      r.problem(key, "must contain " + TOKEN + " where the token goes");
    }
    return t;
  }
}
