package dev.bulwark.config;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Phone sign-in with one-time SMS codes: which countries' mobile numbers are served, whether a
 * first verify creates a phone-only account, the code's lifetime and attempt budget, and the abuse
 * limits (per client address and per number, a gap between SMS to one number, a daily cap per
 * number, a global hourly SMS budget).
 */
public record PhoneConfig(
    Set<String> allowedCountries,
    boolean phoneSignup,
    Duration codeTtl,
    int maxAttempts,
    Duration resendAfter,
    int dailyCap,
    int requestsPerWindow,
    Duration requestWindow,
    int verifiesPerWindow,
    Duration verifyWindow,
    int hourlyBudget) {

  static PhoneConfig read(ConfigReader r) {
    Set<String> countries = new LinkedHashSet<>();
    List<String> listed = r.list("sms.allowedCountries");
    for (String c : listed) {
      String code = c.trim().toUpperCase(Locale.ROOT);
      if (!code.matches("[A-Z]{2}")) {
        r.problem("sms.allowedCountries", "'" + c + "' is not a two-letter region code (GB, US)");
      } else {
        countries.add(code);
      }
    }
    return new PhoneConfig(
        Set.copyOf(countries),
        r.bool("auth.phoneSignup", false),
        r.duration(
            "auth.otp.ttl", Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofMinutes(30)),
        r.intIn("auth.otp.maxAttempts", 5, 1, 20),
        r.duration(
            "auth.otp.resendAfter",
            Duration.ofSeconds(60),
            Duration.ofSeconds(1),
            Duration.ofHours(1)),
        r.intIn("auth.otp.dailyCap", 10, 1, 1000),
        r.intIn("auth.otp.requestLimit", 3, 1, 100_000),
        r.duration(
            "auth.otp.requestWindow",
            Duration.ofMinutes(5),
            Duration.ofSeconds(1),
            Duration.ofDays(1)),
        r.intIn("auth.otp.verifyLimit", 5, 1, 100_000),
        r.duration(
            "auth.otp.verifyWindow",
            Duration.ofMinutes(15),
            Duration.ofSeconds(1),
            Duration.ofDays(1)),
        r.intIn("sms.hourlyBudget", 1000, 1, 10_000_000));
  }
}
