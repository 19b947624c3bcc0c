package dev.bulwark.auth;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import dev.bulwark.core.FieldError;
import java.util.Set;

/**
 * A number a client sends, normalised to E.164 with libphonenumber and accepted only if it is a
 * valid mobile number of an allowed country: SMS to premium-rate, shared-cost, toll-free or fixed
 * lines, or to countries the service does not serve, is how SMS pumping makes money.
 */
public final class PhoneNumbers {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private static final int MAX_CHARS = 32;

  private final Set<String> allowedCountries;

  public PhoneNumbers(Set<String> allowedCountries) {
    this.allowedCountries = allowedCountries;
  }

  /** The E.164 form, or why not (a field error on {@code field}). */
  public record Parsed(String e164, FieldError problem) {}

  public Parsed parse(String field, String raw) {
    if (raw == null || raw.isBlank() || raw.length() > MAX_CHARS) {
      return invalid(field);
    }
    String s = raw.strip();
    if (!s.startsWith("+") || !s.substring(1).matches("[0-9 ()./-]{4,30}")) {
      return invalid(field);
    }
    PhoneNumber number;
    try {
      number = UTIL.parse(s, null);
    } catch (NumberParseException e) {
      return invalid(field);
    }
    if (!UTIL.isValidNumber(number)) {
      return invalid(field);
    }
    String region = UTIL.getRegionCodeForNumber(number);
    PhoneNumberType type = UTIL.getNumberType(number);
    switch (type) {
      case PREMIUM_RATE, SHARED_COST, TOLL_FREE, UAN, VOICEMAIL -> {
        return new Parsed(
            null,
            new FieldError(
                field,
                "premium_rate_number",
                "Codes are not sent to premium-rate, shared-cost or toll-free numbers."));
      }
      case MOBILE, FIXED_LINE_OR_MOBILE -> {
        // a number that may be mobile (NANP numbers cannot be told apart) is served
      }
      default -> {
        return new Parsed(
            null,
            new FieldError(
                field, "not_a_mobile_number", "'" + field + "' must be a mobile number."));
      }
    }
    if (region == null || !allowedCountries.contains(region)) {
      return new Parsed(
          null,
          new FieldError(
              field, "country_not_allowed", "Codes are not sent to numbers of this country."));
    }
    return new Parsed(UTIL.format(number, PhoneNumberFormat.E164), null);
  }

  private static Parsed invalid(String field) {
    return new Parsed(
        null,
        new FieldError(
            field,
            "invalid_phone",
            "'" + field + "' must be a phone number in international form, e.g. +447700900123."));
  }
}
