package dev.bulwark.config;

import dev.bulwark.core.Role;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The second factor: the key that seals TOTP secrets at rest ({@code encryptionKey}, named {@code
 * keyId}; earlier keys in {@code retiredKeys} still open what they sealed), the steps of clock skew
 * a code is accepted with ({@code totp.window}), the issuer name authenticator apps show, and the
 * roles whose accounts must enrol ({@code auth.requireMfaForRoles}; by default the administrators
 * outside development).
 */
public record MfaConfig(
    String encryptionKey,
    String keyId,
    Map<String, String> retiredKeys,
    int window,
    String issuer,
    Set<Role> requiredForRoles) {

  public static final int MIN_KEY_BYTES = 32;

  static MfaConfig read(ConfigReader r, Environment environment, Roles roles) {
    String key = r.optionalString("mfa.encryptionKey");
    if (key == null) {
      r.problem(
          "mfa.encryptionKey",
          "is required: at least "
              + MIN_KEY_BYTES
              + " random bytes (for example: openssl rand -base64 48), distinct from the JWT secret");
      key = "";
    } else if (key.getBytes(StandardCharsets.UTF_8).length < MIN_KEY_BYTES) {
      r.problem("mfa.encryptionKey", "must be at least " + MIN_KEY_BYTES + " bytes");
    }
    String keyId = r.string("mfa.keyId", "1");
    Map<String, String> retired = new LinkedHashMap<>();
    for (String entry : r.list("mfa.retiredKeys")) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        r.problem("mfa.retiredKeys", "each entry must be keyId=secret");
        continue;
      }
      String id = entry.substring(0, eq).trim();
      if (id.equals(keyId)) {
        r.problem("mfa.retiredKeys", "key id '" + id + "' is the current mfa.keyId");
      }
      retired.put(id, entry.substring(eq + 1));
    }
    int window = r.intIn("mfa.totp.window", 1, 0, 2);
    String issuer = r.string("mfa.issuer", "Bulwark");
    Set<Role> required = EnumSet.noneOf(Role.class);
    List<String> names = r.list("auth.requireMfaForRoles");
    if (r.raw("auth.requireMfaForRoles") == null && environment.isStrict()) {
      required.add(Role.ADMIN);
    }
    for (String name : names) {
      Role role = roles.level(name);
      if (role == null) {
        r.problem("auth.requireMfaForRoles", "'" + name + "' is not one of auth.roles");
      } else {
        required.add(role);
      }
    }
    return new MfaConfig(key, keyId, Map.copyOf(retired), window, issuer, Set.copyOf(required));
  }

  @Override
  public String toString() {
    return "MfaConfig[keyId="
        + keyId
        + ", window="
        + window
        + ", required="
        + requiredForRoles
        + "]";
  }
}
