package dev.bulwark.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validating access to the merged configuration tree. Reads never throw: each bad value is
 * recorded as a {@link ConfigProblem} and a safe placeholder is returned, so one start-up attempt
 * reports every problem.
 */
public final class ConfigReader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB)?");

  private final JsonObject root;
  private final List<ConfigProblem> problems = new ArrayList<>();
  private final Set<String> asked = new LinkedHashSet<>();
  private final JsonObject effective = new JsonObject();

  public ConfigReader(JsonObject root) {
    this.root = root;
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  public void problem(String key, String message) {
    problems.add(new ConfigProblem(key, message));
  }

  /**
   * Every key read so far: what the typed configuration actually consults (a test holds conf/ to
   * it).
   */
  public Set<String> askedKeys() {
    return Collections.unmodifiableSet(asked);
  }

  /**
   * Every value read so far as the typed configuration took it, defaults and computed defaults
   * included: numbers and booleans as JSON numbers and booleans, durations and sizes in the form
   * they are written in (what {@code check-config} prints).
   */
  public JsonObject effective() {
    return effective;
  }

  private void took(String key, Object value) {
    JsonObject node = effective;
    String[] parts = key.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    node.put(parts[parts.length - 1], value);
  }

  /** The raw value at a dotted path, or null. */
  public Object raw(String key) {
    asked.add(key);
    Object node = root;
    for (String part : key.split("\\.")) {
      if (!(node instanceof JsonObject obj)) {
        return null;
      }
      node = obj.getValue(part);
    }
    return node;
  }

  /** A string, trimmed; blank counts as absent. */
  public String optionalString(String key) {
    Object v = raw(key);
    if (v == null) {
      return null;
    }
    if (v instanceof JsonObject || v instanceof JsonArray) {
      problem(key, "expected a single value");
      return null;
    }
    String s = v.toString().trim();
    return s.isEmpty() ? null : s;
  }

  public String string(String key, String fallback) {
    String s = optionalString(key);
    String value = s == null ? fallback : s;
    took(key, value);
    return value;
  }

  public int intIn(String key, int fallback, int min, int max) {
    int n = parseInt(key, fallback, min, max);
    took(key, n);
    return n;
  }

  private int parseInt(String key, int fallback, int min, int max) {
    Object v = raw(key);
    if (v == null || v.toString().isBlank()) {
      return fallback;
    }
    long n;
    if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
      n = num.longValue();
    } else {
      try {
        n = Long.parseLong(v.toString().trim());
      } catch (NumberFormatException e) {
        problem(key, "'" + v + "' is not a whole number");
        return fallback;
      }
    }
    if (n < min || n > max) {
      problem(key, n + " is out of range (" + min + " to " + max + ")");
      return fallback;
    }
    return (int) n;
  }

  public boolean bool(String key, boolean fallback) {
    boolean b = parseBool(key, fallback);
    took(key, b);
    return b;
  }

  private boolean parseBool(String key, boolean fallback) {
    Object v = raw(key);
    if (v == null || v.toString().isBlank()) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    switch (v.toString().trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1" -> {
        return true;
      }
      case "false", "no", "off", "0" -> {
        return false;
      }
      default -> {
        problem(key, "'" + v + "' is not a boolean (true or false)");
        return fallback;
      }
    }
  }

  /**
   * A duration such as {@code 500ms}, {@code 30s}, {@code 15m}, {@code 1h}, {@code 7d}; a bare
   * number is seconds.
   */
  public Duration duration(String key, Duration fallback, Duration min, Duration max) {
    Duration d = parseDuration(key, fallback, min, max);
    took(key, d == null ? null : written(d));
    return d;
  }

  /** A duration as it would be written in conf/: the largest whole unit. */
  static String written(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s != 0 && s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s != 0 && s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s != 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  private Duration parseDuration(String key, Duration fallback, Duration min, Duration max) {
    Object v = raw(key);
    if (v == null || v.toString().isBlank()) {
      return fallback;
    }
    Duration d = parseDuration(v.toString().trim());
    if (d == null) {
      problem(key, "'" + v + "' is not a duration (examples: 500ms, 30s, 15m, 1h, 7d)");
      return fallback;
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problem(key, v + " is out of range (" + min + " to " + max + ")");
      return fallback;
    }
    return d;
  }

  static Duration parseDuration(String s) {
    if (s.chars().allMatch(Character::isDigit) && !s.isEmpty() && s.length() < 12) {
      return Duration.ofSeconds(Long.parseLong(s));
    }
    Matcher m = DURATION.matcher(s);
    if (!m.matches() || m.group(1).length() > 12) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** A byte size such as {@code 65536}, {@code 64KiB} or {@code 1MiB}. */
  public long bytes(String key, long fallback, long min, long max) {
    long n = parseBytes(key, fallback, min, max);
    took(
        key,
        n != 0 && n % (1024 * 1024) == 0
            ? n / (1024 * 1024) + "MiB"
            : n != 0 && n % 1024 == 0 ? n / 1024 + "KiB" : (Object) n);
    return n;
  }

  private long parseBytes(String key, long fallback, long min, long max) {
    Object v = raw(key);
    if (v == null || v.toString().isBlank()) {
      return fallback;
    }
    Matcher m = SIZE.matcher(v.toString().trim());
    if (!m.matches() || m.group(1).length() > 12) {
      problem(key, "'" + v + "' is not a size (examples: 65536, 64KiB, 1MiB)");
      return fallback;
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2);
    long size =
        switch (unit) {
          case "KiB" -> n * 1024;
          case "MiB" -> n * 1024 * 1024;
          default -> n;
        };
    if (size < min || size > max) {
      problem(key, v + " is out of range (" + min + " to " + max + " bytes)");
      return fallback;
    }
    return size;
  }

  /** A list: a YAML sequence, or a comma-separated string (as environment variables give it). */
  public List<String> list(String key) {
    List<String> out = parseList(key);
    took(key, new JsonArray(new ArrayList<>(out)));
    return out;
  }

  private List<String> parseList(String key) {
    Object v = raw(key);
    List<String> out = new ArrayList<>();
    if (v == null) {
      return out;
    }
    if (v instanceof JsonArray arr) {
      for (Object o : arr) {
        if (o != null && !o.toString().isBlank()) {
          out.add(o.toString().trim());
        }
      }
    } else if (v instanceof JsonObject) {
      problem(key, "expected a list");
    } else {
      for (String part : v.toString().split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return out;
  }

  public <E extends Enum<E>> E oneOf(String key, Class<E> type, E fallback) {
    E e = parseOneOf(key, type, fallback);
    took(key, e == null ? null : e.name().toLowerCase(Locale.ROOT));
    return e;
  }

  private <E extends Enum<E>> E parseOneOf(String key, Class<E> type, E fallback) {
    String s = optionalString(key);
    if (s == null) {
      return fallback;
    }
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s)) {
        return e;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      allowed.add(e.name().toLowerCase(Locale.ROOT));
    }
    problem(key, "'" + s + "' is not one of " + String.join(", ", allowed));
    return fallback;
  }
}
