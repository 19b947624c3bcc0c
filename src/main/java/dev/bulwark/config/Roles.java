package dev.bulwark.config;

import dev.bulwark.core.Role;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The names this deployment gives the three {@link Role} levels ({@code auth.roles}, lowest first:
 * default {@code user, staff, admin}). The names are what {@code users.role} stores and the access
 * token's {@code role} claim carries; signup always gives the first.
 */
public final class Roles {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");
  private static final List<String> DEFAULT = List.of("user", "staff", "admin");

  private final Map<Role, String> names;

  public Roles(String user, String staff, String admin) {
    this.names = new EnumMap<>(Role.class);
    names.put(Role.USER, user);
    names.put(Role.STAFF, staff);
    names.put(Role.ADMIN, admin);
  }

  public static Roles defaults() {
    return new Roles(DEFAULT.get(0), DEFAULT.get(1), DEFAULT.get(2));
  }

  static Roles read(ConfigReader r) {
    List<String> listed = r.list("auth.roles");
    if (listed.isEmpty()) {
      return defaults();
    }
    List<String> lower = listed.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    if (lower.size() != 3
        || lower.stream().distinct().count() != 3
        || !lower.stream().allMatch(s -> NAME.matcher(s).matches())) {
      r.problem(
          "auth.roles",
          "must name exactly three distinct roles, lowest first (user, staff, admin), each"
              + " [a-z][a-z0-9_]{0,31}");
      return defaults();
    }
    return new Roles(lower.get(0), lower.get(1), lower.get(2));
  }

  /** The configured name of a level. */
  public String name(Role role) {
    return names.get(role);
  }

  /** The level a name stands for, or null when it names none of this deployment's roles. */
  public Role level(String name) {
    if (name == null) {
      return null;
    }
    for (Map.Entry<Role, String> e : names.entrySet()) {
      if (e.getValue().equals(name)) {
        return e.getKey();
      }
    }
    return null;
  }

  /** The three names, lowest first. */
  public List<String> names() {
    return List.of(names.get(Role.USER), names.get(Role.STAFF), names.get(Role.ADMIN));
  }

  @Override
  public String toString() {
    return String.join(",", names());
  }
}
