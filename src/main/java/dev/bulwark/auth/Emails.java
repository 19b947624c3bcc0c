package dev.bulwark.auth;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Email addresses as accounts know them: trimmed, lower-cased, and shaped like a deliverable
 * address — dot-atom or quoted local part (RFC 5322, without comments or IP literals), a domain of
 * at least two labels.
 */
public final class Emails {
  public static final int MAX_LENGTH = 254;
  private static final Pattern DOT_ATOM =
      Pattern.compile("[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*");
  private static final Pattern QUOTED =
      Pattern.compile("\"([\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])+\"");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  private Emails() {}

  /** The canonical form, or null when the input is not a usable address. */
  public static String normalize(String raw) {
    String email = raw.trim().toLowerCase(Locale.ROOT);
    if (email.isEmpty() || email.length() > MAX_LENGTH) {
      return null;
    }
    int at = email.lastIndexOf('@');
    if (at < 1 || at == email.length() - 1) {
      return null;
    }
    String local = email.substring(0, at);
    String domain = email.substring(at + 1);
    if (local.length() > 64
        || !(DOT_ATOM.matcher(local).matches() || QUOTED.matcher(local).matches())) {
      return null;
    }
    String[] labels = domain.split("\\.", -1);
    if (labels.length < 2) {
      return null;
    }
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        return null;
      }
    }
    if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
      return null;
    }
    return email;
  }
}
