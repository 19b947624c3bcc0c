package dev.bulwark.ratelimit;

import dev.bulwark.config.RateLimitConfig;
import dev.bulwark.config.RateLimitConfig.Key;
import dev.bulwark.config.RateLimitConfig.Rule;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * The configured rules, compiled once: which limits a request counts against, and under which
 * principal.
 */
final class RateLimitRules {

  /** One limit of one rule, with everything per-request work needs already built. */
  record AppliedLimit(
      String policy,
      int count,
      long windowMs,
      String keySuffix,
      String countArg,
      String windowArg,
      String policyItem) {}

  /** The limits a request counts against, split by principal. */
  record Selection(
      List<AppliedLimit> byIp, List<AppliedLimit> byUser, List<AppliedLimit> bySession) {
    static final Selection NONE = new Selection(List.of(), List.of(), List.of());

    boolean isEmpty() {
      return byIp.isEmpty() && byUser.isEmpty() && bySession.isEmpty();
    }
  }

  /**
   * Which rules to select: all of them, or — when recognising the caller needs I/O and the address
   * is checked first — the address-keyed ones alone, then the rest.
   */
  enum Phase {
    ALL,
    ADDRESS,
    CALLER
  }

  private record CompiledRule(
      HttpMethod method, PathPattern path, Key key, List<AppliedLimit> limits) {}

  /**
   * A rule's path: literal segments, {@code *} for one non-empty segment, a trailing {@code /**}
   * for any rest.
   */
  record PathPattern(String[] segments, boolean anyRest) {
    static PathPattern parse(String pattern) {
      boolean anyRest = pattern.endsWith("/**");
      String fixed = anyRest ? pattern.substring(0, pattern.length() - 3) : pattern;
      return new PathPattern(
          fixed.isEmpty() || fixed.equals("/") ? new String[0] : fixed.substring(1).split("/"),
          anyRest);
    }

    /** Segment by segment, without allocating. */
    boolean matches(String path) {
      int pos = path.startsWith("/") ? 1 : 0;
      for (String segment : segments) {
        if (pos > path.length()) {
          return false;
        }
        int end = path.indexOf('/', pos);
        if (end < 0) {
          end = path.length();
        }
        boolean ok =
            segment.equals("*")
                ? end > pos
                : path.regionMatches(pos, segment, 0, segment.length())
                    && end - pos == segment.length();
        if (!ok) {
          return false;
        }
        pos = end + 1;
      }
      return anyRest || pos >= path.length();
    }
  }

  private final List<CompiledRule> rules;

  RateLimitRules(List<Rule> configured) {
    List<CompiledRule> out = new ArrayList<>();
    for (Rule rule : configured) {
      List<AppliedLimit> limits = new ArrayList<>();
      for (RateLimitConfig.Limit limit : rule.limits()) {
        String window = limit.text().substring(limit.text().indexOf('/') + 1);
        String policy = rule.name() + "-" + window;
        long windowMs = limit.window().toMillis();
        limits.add(
            new AppliedLimit(
                policy,
                limit.count(),
                windowMs,
                ":rl:" + rule.name() + ":" + windowMs / 1000,
                Integer.toString(limit.count()),
                Long.toString(windowMs),
                "\"" + policy + "\";q=" + limit.count() + ";w=" + windowMs / 1000));
      }
      out.add(
          new CompiledRule(
              rule.method() == null ? null : HttpMethod.valueOf(rule.method()),
              PathPattern.parse(rule.pathPattern()),
              rule.key(),
              List.copyOf(limits)));
    }
    this.rules = List.copyOf(out);
  }

  /**
   * Every rule that matches applies. A user- or session-keyed rule does not apply to a request
   * without one; the {@code _or_ip} kinds then count against the address. {@code path} is the
   * normalized path the router matched.
   */
  Selection select(
      HttpMethod method, String path, Phase phase, boolean hasUser, boolean hasSession) {
    List<AppliedLimit> byIp = List.of();
    List<AppliedLimit> byUser = List.of();
    List<AppliedLimit> bySession = List.of();
    for (CompiledRule rule : rules) {
      if ((rule.method != null && !rule.method.equals(method))
          || !rule.path.matches(path)
          || (phase == Phase.ADDRESS && rule.key != Key.IP)
          || (phase == Phase.CALLER && rule.key == Key.IP)) {
        continue;
      }
      switch (rule.key) {
        case IP -> byIp = append(byIp, rule.limits);
        case USER -> byUser = hasUser ? append(byUser, rule.limits) : byUser;
        case USER_OR_IP -> {
          if (hasUser) {
            byUser = append(byUser, rule.limits);
          } else {
            byIp = append(byIp, rule.limits);
          }
        }
        case SESSION -> bySession = hasSession ? append(bySession, rule.limits) : bySession;
        case SESSION_OR_IP -> {
          if (hasSession) {
            bySession = append(bySession, rule.limits);
          } else {
            byIp = append(byIp, rule.limits);
          }
        }
      }
    }
    return byIp.isEmpty() && byUser.isEmpty() && bySession.isEmpty()
        ? Selection.NONE
        : new Selection(byIp, byUser, bySession);
  }

  private static List<AppliedLimit> append(List<AppliedLimit> to, List<AppliedLimit> more) {
    if (to.isEmpty()) {
      return more;
    }
    List<AppliedLimit> all = new ArrayList<>(to);
    all.addAll(more);
    return all;
  }
}
