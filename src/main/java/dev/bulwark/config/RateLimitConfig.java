package dev.bulwark.config;

import dev.bulwark.core.Cidr;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rate limiting: the rules, what to do while Redis is unreachable, and which proxies' {@code
 * X-Forwarded-For} is believed. Rules come from conf as a YAML list, or from {@code
 * RATE_LIMIT_RULES} as the same list in JSON.
 */
public record RateLimitConfig(
    boolean enabled,
    FailMode failMode,
    List<String> trustedProxies,
    Duration redisRetry,
    List<Rule> rules) {

  /** What a request meets while Redis cannot answer. */
  public enum FailMode {
    /** Per-process in-memory sliding windows with the same rules. */
    LOCAL,
    /** No limiting until Redis returns. */
    OPEN,
    /** 503 until Redis returns. */
    CLOSED
  }

  /**
   * Whose budget a rule counts against: the client address (IPv6 by /64), the signed-in user, or
   * the session (token family) of the credential presented — an access token's, or the refresh
   * token's on refresh. {@code USER} and {@code SESSION} rules do not apply to requests without
   * one; the {@code _OR_IP} kinds fall back to the address.
   */
  public enum Key {
    IP,
    USER,
    USER_OR_IP,
    SESSION,
    SESSION_OR_IP
  }

  /** {@code count} requests per {@code window}, written {@code 5/1m}. */
  public record Limit(int count, Duration window, String text) {}

  /**
   * One rule: requests whose method (null = any) and path match count against every limit, keyed by
   * {@code key}. Path patterns are literal segments, {@code *} for one segment and a trailing
   * {@code **} for any rest.
   */
  public record Rule(String name, String method, String pathPattern, Key key, List<Limit> limits) {}

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
  private static final Pattern METHOD = Pattern.compile("GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS");
  private static final Pattern PATH = Pattern.compile("/|(/([A-Za-z0-9._~-]+|\\*))*(/\\*\\*)?");
  private static final Pattern LIMIT = Pattern.compile("(\\d{1,9})\\s*/\\s*(\\d*)\\s*(s|m|h|d)");

  static RateLimitConfig read(ConfigReader r) {
    List<String> proxies = r.list("rateLimit.trustedProxies");
    for (String cidr : proxies) {
      try {
        Cidr.parse(cidr);
      } catch (IllegalArgumentException e) {
        r.problem(
            "rateLimit.trustedProxies",
            e.getMessage() + " (RATE_LIMIT_TRUSTED_PROXIES takes comma-separated CIDRs)");
      }
    }
    return new RateLimitConfig(
        r.bool("rateLimit.enabled", true),
        r.oneOf("rateLimit.failMode", FailMode.class, FailMode.LOCAL),
        proxies,
        r.duration(
            "rateLimit.redisRetry",
            Duration.ofSeconds(1),
            Duration.ofMillis(100),
            Duration.ofMinutes(5)),
        rules(r));
  }

  private static List<Rule> rules(ConfigReader r) {
    String key = "rateLimit.rules";
    Object raw = r.raw(key);
    if (raw == null) {
      return List.of();
    }
    JsonArray list;
    if (raw instanceof JsonArray arr) {
      list = arr;
    } else {
      try {
        list = new JsonArray(raw.toString());
      } catch (DecodeException | ClassCastException e) {
        r.problem(key, "expected a list of rules (RATE_LIMIT_RULES takes the same list as JSON)");
        return List.of();
      }
    }
    List<Rule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = key + "[" + i + "]";
      if (!(list.getValue(i) instanceof JsonObject rule)) {
        r.problem(at, "expected a rule: { name, match, key, limits }");
        continue;
      }
      Rule parsed = rule(r, at, rule);
      if (parsed != null) {
        if (!names.add(parsed.name())) {
          r.problem(at + ".name", "'" + parsed.name() + "' is used by more than one rule");
        }
        rules.add(parsed);
      }
    }
    return List.copyOf(rules);
  }

  private static Rule rule(ConfigReader r, String at, JsonObject rule) {
    int before = r.problems().size();
    for (String field : rule.fieldNames()) {
      if (!Set.of("name", "match", "key", "limits").contains(field)) {
        r.problem(at + "." + field, "unknown rule field (expected name, match, key, limits)");
      }
    }
    String name = String.valueOf(rule.getValue("name", "")).trim();
    if (!NAME.matcher(name).matches()) {
      r.problem(
          at + ".name",
          "'" + name + "' is not a rule name (lower-case letters, digits, - and _; up to 32)");
    }
    String match = String.valueOf(rule.getValue("match", "")).trim();
    String method = null;
    String path = match;
    int space = match.indexOf(' ');
    if (space > 0) {
      method = match.substring(0, space).toUpperCase(Locale.ROOT);
      path = match.substring(space + 1).trim();
      if (!METHOD.matcher(method).matches()) {
        r.problem(at + ".match", "'" + method + "' is not an HTTP method");
      }
    }
    if (path.isEmpty() || !PATH.matcher(path).matches()) {
      r.problem(
          at + ".match", "'" + match + "' is not a match like \"POST /api/v1/auth/*\" or \"/**\"");
    }
    Key keyKind = null;
    String keyText = String.valueOf(rule.getValue("key", "")).trim();
    for (Key k : Key.values()) {
      if (k.name().equalsIgnoreCase(keyText)) {
        keyKind = k;
      }
    }
    if (keyKind == null) {
      r.problem(
          at + ".key",
          "'" + keyText + "' is not one of ip, user, user_or_ip, session, session_or_ip");
    }
    List<Limit> limits = limits(r, at + ".limits", rule.getValue("limits"));
    return r.problems().size() == before ? new Rule(name, method, path, keyKind, limits) : null;
  }

  private static List<Limit> limits(ConfigReader r, String at, Object value) {
    List<Object> items = new ArrayList<>();
    if (value instanceof JsonArray arr) {
      arr.forEach(items::add);
    } else if (value != null) {
      items.add(value);
    }
    if (items.isEmpty()) {
      r.problem(at, "a rule needs at least one limit, like \"5/1m\"");
    }
    List<Limit> out = new ArrayList<>();
    Set<Duration> windows = new HashSet<>();
    for (Object item : items) {
      Limit limit = limit(String.valueOf(item).trim());
      if (limit == null) {
        r.problem(
            at,
            "'"
                + item
                + "' is not a limit like \"5/1m\", \"100/10s\" or \"1000/1h\" (count ≥ 1, window 1s..1d)");
      } else if (!windows.add(limit.window())) {
        r.problem(at, "two limits of one rule share the window " + limit.window());
      } else {
        out.add(limit);
      }
    }
    return List.copyOf(out);
  }

  /** Parses {@code 5/1m}; {@code 5/m} means one minute. Null when malformed or out of range. */
  public static Limit limit(String text) {
    Matcher m = LIMIT.matcher(text);
    if (!m.matches()) {
      return null;
    }
    int count = Integer.parseInt(m.group(1));
    long n = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
    Duration unit =
        switch (m.group(3)) {
          case "s" -> Duration.ofSeconds(1);
          case "m" -> Duration.ofMinutes(1);
          case "h" -> Duration.ofHours(1);
          default -> Duration.ofDays(1);
        };
    if (count < 1 || n < 1 || n > 86_400) {
      return null;
    }
    Duration window = unit.multipliedBy(n);
    if (window.compareTo(Duration.ofDays(1)) > 0) {
      return null;
    }
    return new Limit(count, window, count + "/" + n + m.group(3));
  }
}
