package dev.bulwark.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.RateLimitConfig;
import dev.bulwark.config.RateLimitConfig.Key;
import dev.bulwark.config.RateLimitConfig.Rule;
import dev.bulwark.ratelimit.RateLimitRules.Phase;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLimitRulesTest {

  private static boolean matches(String pattern, String path) {
    return RateLimitRules.PathPattern.parse(pattern).matches(path);
  }

  @Test
  void pathPatterns() {
    assertTrue(matches("/api/v1/auth/*", "/api/v1/auth/login"));
    assertFalse(matches("/api/v1/auth/*", "/api/v1/auth/login/x"));
    assertFalse(matches("/api/v1/auth/*", "/api/v1/auth/"));
    assertFalse(matches("/api/v1/auth/*", "/api/v1/auth"));
    assertFalse(matches("/api/v1/auth/*", "/api/v1/authx/login"));
    assertTrue(matches("/**", "/anything/at/all"));
    assertTrue(matches("/**", "/"));
    assertTrue(matches("/api/v1/**", "/api/v1/tasks/5"));
    assertFalse(matches("/api/v1/**", "/api/v2/tasks"));
    assertTrue(matches("/api/v1/tasks", "/api/v1/tasks"));
    assertFalse(matches("/api/v1/tasks", "/api/v1/tasks/1"));
    assertTrue(matches("/api/*/tasks/*", "/api/v1/tasks/1"));
  }

  @Test
  void everyMatchingRuleAppliesUnderItsPrincipal() {
    RateLimitRules rules =
        new RateLimitRules(
            List.of(
                new Rule(
                    "auth",
                    "POST",
                    "/api/v1/auth/*",
                    Key.IP,
                    List.of(RateLimitConfig.limit("5/1m"))),
                new Rule(
                    "delete",
                    "DELETE",
                    "/api/v1/**",
                    Key.USER,
                    List.of(RateLimitConfig.limit("20/1m"))),
                new Rule(
                    "mixed",
                    null,
                    "/api/v1/tasks/**",
                    Key.USER_OR_IP,
                    List.of(RateLimitConfig.limit("50/1m"))),
                new Rule(
                    "global",
                    null,
                    "/**",
                    Key.IP,
                    List.of(RateLimitConfig.limit("100/1m"), RateLimitConfig.limit("1000/1h")))));

    var login = rules.select(HttpMethod.POST, "/api/v1/auth/login", Phase.ALL, false, false);
    assertEquals(
        List.of("auth-1m", "global-1m", "global-1h"),
        login.byIp().stream().map(l -> l.policy()).toList());
    assertTrue(login.byUser().isEmpty());

    var delete = rules.select(HttpMethod.DELETE, "/api/v1/tasks/7", Phase.ALL, true, true);
    assertEquals(
        List.of("delete-1m", "mixed-1m"), delete.byUser().stream().map(l -> l.policy()).toList());
    assertEquals(
        List.of("global-1m", "global-1h"), delete.byIp().stream().map(l -> l.policy()).toList());

    var anonymous = rules.select(HttpMethod.DELETE, "/api/v1/tasks/7", Phase.ALL, false, false);
    assertTrue(anonymous.byUser().isEmpty(), "a user rule does not apply without a user");
    assertEquals(
        List.of("mixed-1m", "global-1m", "global-1h"),
        anonymous.byIp().stream().map(l -> l.policy()).toList(),
        "user_or_ip falls back to the address");
  }

  @Test
  void sessionRulesCountPerSessionAndTheAddressIsCheckedFirstWhenTheCallerNeedsALookup() {
    RateLimitRules rules =
        new RateLimitRules(
            List.of(
                new Rule(
                    "auth",
                    "POST",
                    "/api/v1/auth/*",
                    Key.SESSION_OR_IP,
                    List.of(RateLimitConfig.limit("5/1m"))),
                new Rule(
                    "family",
                    "POST",
                    "/api/v1/auth/refresh",
                    Key.SESSION,
                    List.of(RateLimitConfig.limit("9/1m"))),
                new Rule("global", null, "/**", Key.IP, List.of(RateLimitConfig.limit("100/1m")))));

    var known = rules.select(HttpMethod.POST, "/api/v1/auth/refresh", Phase.ALL, true, true);
    assertEquals(
        List.of("auth-1m", "family-1m"), known.bySession().stream().map(l -> l.policy()).toList());
    assertEquals(List.of("global-1m"), known.byIp().stream().map(l -> l.policy()).toList());

    var unknown = rules.select(HttpMethod.POST, "/api/v1/auth/refresh", Phase.ALL, false, false);
    assertTrue(unknown.bySession().isEmpty(), "no session: a session rule does not apply");
    assertEquals(
        List.of("auth-1m", "global-1m"),
        unknown.byIp().stream().map(l -> l.policy()).toList(),
        "session_or_ip falls back to the address");

    var address =
        rules.select(HttpMethod.POST, "/api/v1/auth/refresh", Phase.ADDRESS, false, false);
    assertEquals(
        List.of("global-1m"),
        address.byIp().stream().map(l -> l.policy()).toList(),
        "before the caller is known: only the rules keyed by address");
    var caller = rules.select(HttpMethod.POST, "/api/v1/auth/refresh", Phase.CALLER, true, true);
    assertEquals(
        List.of("auth-1m", "family-1m"), caller.bySession().stream().map(l -> l.policy()).toList());
    assertTrue(caller.byIp().isEmpty(), "the address rules were counted already");
  }

  @Test
  void limitsParse() {
    assertEquals(
        new RateLimitConfig.Limit(5, Duration.ofMinutes(1), "5/1m"), RateLimitConfig.limit("5/1m"));
    assertEquals(Duration.ofMinutes(1), RateLimitConfig.limit("5/m").window());
    assertEquals(Duration.ofSeconds(10), RateLimitConfig.limit("100 / 10s").window());
    assertEquals(Duration.ofDays(1), RateLimitConfig.limit("9/1d").window());
    assertNull(RateLimitConfig.limit("0/1m"));
    assertNull(RateLimitConfig.limit("5/2d"));
    assertNull(RateLimitConfig.limit("5/0s"));
    assertNull(RateLimitConfig.limit("5 per minute"));
    assertNull(RateLimitConfig.limit("-1/1m"));
  }
}
