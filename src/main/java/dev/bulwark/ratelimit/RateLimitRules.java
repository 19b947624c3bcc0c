package dev.bulwark.ratelimit;

import dev.bulwark.config.RateLimitConfig;
import dev.bulwark.config.RateLimitConfig.Key;
import dev.bulwark.config.RateLimitConfig.Rule;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;

/** The configured rules, compiled once: which limits a request counts against, and under which principal. */
final class RateLimitRules {

  /** One limit of one rule, with everything per-request work needs already built. */
  record AppliedLimit(String policy, int count, long windowMs, String keySuffix, String countArg, String windowArg,
                      String policyItem) {
  }

  /** The limits a request counts against, split by principal. */
  record Selection(List<AppliedLimit> byIp, List<AppliedLimit> byUser) {
    boolean isEmpty() {
      return byIp.isEmpty() && byUser.isEmpty();
    }
  }

  private record CompiledRule(HttpMethod method, String[] segments, boolean anyRest, Key key,
                              List<AppliedLimit> limits) {
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
        limits.add(new AppliedLimit(policy, limit.count(), windowMs, ":rl:" + rule.name() + ":" + windowMs / 1000,
            Integer.toString(limit.count()), Long.toString(windowMs),
            "\"" + policy + "\";q=" + limit.count() + ";w=" + windowMs / 1000));
      }
      String path = rule.pathPattern();
      boolean anyRest = path.endsWith("/**");
      String fixed = anyRest ? path.substring(0, path.length() - 3) : path;
      String[] segments = fixed.isEmpty() || fixed.equals("/") ? new String[0] : fixed.substring(1).split("/");
      out.add(new CompiledRule(rule.method() == null ? null : HttpMethod.valueOf(rule.method()), segments,
          anyRest, rule.key(), List.copyOf(limits)));
    }
    this.rules = List.copyOf(out);
  }

  /** Every rule that matches applies; a user-keyed rule does not apply to an anonymous request. */
  Selection select(HttpMethod method, String path, boolean authenticated) {
    List<AppliedLimit> byIp = List.of();
    List<AppliedLimit> byUser = List.of();
    for (CompiledRule rule : rules) {
      if ((rule.method == null || rule.method.equals(method)) && matches(rule, path)) {
        if (rule.key == Key.IP || (rule.key == Key.USER_OR_IP && !authenticated)) {
          byIp = append(byIp, rule.limits);
        } else if (authenticated) {
          byUser = append(byUser, rule.limits);
        }
      }
    }
    return new Selection(byIp, byUser);
  }

  private static List<AppliedLimit> append(List<AppliedLimit> to, List<AppliedLimit> more) {
    if (to.isEmpty()) {
      return more;
    }
    List<AppliedLimit> all = new ArrayList<>(to);
    all.addAll(more);
    return all;
  }

  /** Segment by segment, without allocating: {@code *} matches one non-empty segment, a trailing {@code **} the rest. */
  static boolean matches(String[] segments, boolean anyRest, String path) {
    int pos = path.startsWith("/") ? 1 : 0;
    for (String segment : segments) {
      if (pos > path.length()) {
        return false;
      }
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = path.length();
      }
      boolean ok = segment.equals("*") ? end > pos : path.regionMatches(pos, segment, 0, segment.length())
          && end - pos == segment.length();
      if (!ok) {
        return false;
      }
      pos = end + 1;
    }
    return anyRest || pos >= path.length();
  }

  private static boolean matches(CompiledRule rule, String path) {
    return matches(rule.segments, rule.anyRest, path);
  }
}
