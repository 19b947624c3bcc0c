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

  private record CompiledRule(HttpMethod method, PathPattern path, Key key, List<AppliedLimit> limits) {
  }

  /** A rule's path: literal segments, {@code *} for one non-empty segment, a trailing {@code /**} for any rest. */
  record PathPattern(String[] segments, boolean anyRest) {
    static PathPattern parse(String pattern) {
      boolean anyRest = pattern.endsWith("/**");
      String fixed = anyRest ? pattern.substring(0, pattern.length() - 3) : pattern;
      return new PathPattern(fixed.isEmpty() || fixed.equals("/") ? new String[0] : fixed.substring(1).split("/"),
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
        boolean ok = segment.equals("*") ? end > pos : path.regionMatches(pos, segment, 0, segment.length())
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
        limits.add(new AppliedLimit(policy, limit.count(), windowMs, ":rl:" + rule.name() + ":" + windowMs / 1000,
            Integer.toString(limit.count()), Long.toString(windowMs),
            "\"" + policy + "\";q=" + limit.count() + ";w=" + windowMs / 1000));
      }
      out.add(new CompiledRule(rule.method() == null ? null : HttpMethod.valueOf(rule.method()),
          PathPattern.parse(rule.pathPattern()), rule.key(), List.copyOf(limits)));
    }
    this.rules = List.copyOf(out);
  }

  /** Every rule that matches applies; a user-keyed rule does not apply to an anonymous request. */
  Selection select(HttpMethod method, String path, boolean authenticated) {
    List<AppliedLimit> byIp = List.of();
    List<AppliedLimit> byUser = List.of();
    for (CompiledRule rule : rules) {
      if ((rule.method == null || rule.method.equals(method)) && rule.path.matches(path)) {
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
}
