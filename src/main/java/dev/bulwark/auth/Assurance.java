package dev.bulwark.auth;

import io.vertx.sqlclient.Row;
import java.util.List;

/**
 * How a session was authenticated: its authenticator assurance level ({@code aal}: 1 for one
 * factor, 2 for two), the methods used ({@code amr}, RFC 8176 values: {@code pwd}, {@code otp},
 * {@code sms}, {@code recovery}), and whether it may only enrol a second factor (an account whose
 * role must use MFA, signed in without one). Stored on the session row, so a refresh keeps it, and
 * carried by every access token minted for the session.
 */
public record Assurance(int aal, List<String> amr, boolean enrolmentOnly) {
  public static final Assurance PASSWORD = new Assurance(1, List.of("pwd"), false);
  public static final Assurance SMS = new Assurance(1, List.of("sms"), false);
  public static final Assurance PASSWORD_AND_OTP = new Assurance(2, List.of("pwd", "otp"), false);
  public static final Assurance PASSWORD_AND_RECOVERY =
      new Assurance(2, List.of("pwd", "recovery"), false);

  /** A password sign-in of a role that must enrol, before it has: the enrolment routes only. */
  public static final Assurance ENROLMENT_ONLY = new Assurance(1, List.of("pwd"), true);

  /** The second factor {@code method} ({@code otp} or {@code recovery}) added to this one. */
  public Assurance stepUp(String method) {
    List<String> methods = new java.util.ArrayList<>(amr);
    if (!methods.contains(method)) {
      methods.add(method);
    }
    return new Assurance(2, List.copyOf(methods), false);
  }

  static Assurance of(Row row) {
    String[] amr = row.getArrayOfStrings("amr");
    return new Assurance(
        row.getShort("aal"), List.of(amr), Boolean.TRUE.equals(row.getBoolean("enrolment_only")));
  }

  String[] amrArray() {
    return amr.toArray(String[]::new);
  }
}
