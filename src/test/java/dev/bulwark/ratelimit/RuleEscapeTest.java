package dev.bulwark.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.config.RateLimitConfig.Rule;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * No spelling of a path escapes the rate-limit rule its route falls under. Every rule configured
 * for any environment is tried, with requests its route answers without a 404 of its own, each
 * spelled with dot segments, {@code //}, percent-encoding and other letter case: every answer must
 * be 400 {@code non_canonical_path}, the router's 404, or counted by the rule (its policy in {@code
 * RateLimit-Policy}) — never the feature answering uncounted.
 */
class RuleEscapeTest {

  /**
   * A request the API routes and answers (not 404) when spelled canonically; made fresh for each
   * attempt.
   */
  private record Sample(HttpMethod method, String path, Buffer body) {}

  private record Attempt(String spelling, int status, String code, String policies) {}

  @Test
  void noSpellingOfAPathEscapesItsRule() {
    Map<String, Rule> configured = configuredRules();
    assertTrue(configured.size() >= 3, "auth, delete and global at least: " + configured.keySet());
    // each configured rule under a fresh name (its counters are this test's own) and a limit no
    // test reaches
    List<String> rules = new ArrayList<>();
    Map<String, Rule> byName = new LinkedHashMap<>();
    for (Rule rule : configured.values()) {
      String name = RateLimitTest.uniqueName();
      byName.put(name, rule);
      rules.add(
          RateLimitTest.rule(
              name,
              (rule.method() == null ? "" : rule.method() + " ") + rule.pathPattern(),
              rule.key().name().toLowerCase(Locale.ROOT),
              "100000/1m"));
    }
    try (TestServer server =
        TestServer.start(RateLimitTest.env(rules.toArray(String[]::new)), Map.of())) {
      TestUser user = TestUsers.signup(server);
      List<String> escapes = new ArrayList<>();
      byName.forEach(
          (name, rule) -> {
            List<Supplier<Sample>> samples =
                samples(server, user).stream().filter(s -> matches(rule, s.get())).toList();
            assertFalse(samples.isEmpty(), "no sample request for rule " + rule);
            for (Supplier<Sample> sample : samples) {
              Sample canonical = sample.get();
              Attempt plain = send(server, user, canonical, canonical.path());
              assertTrue(
                  plain.policies().contains("\"" + name + "-1m\""),
                  "the canonical spelling is counted by " + rule + ": " + plain);
              for (String spelling : spellings(canonical.path())) {
                Attempt a = send(server, user, sample.get(), spelling);
                boolean refused = a.status() == 400 && "non_canonical_path".equals(a.code());
                boolean unrouted = a.status() == 404 && a.policies().isEmpty();
                boolean counted = a.policies().contains("\"" + name + "-1m\"");
                assertTrue(a.status() < 500, "never a 5xx: " + a);
                if (!refused && !unrouted && !counted) {
                  escapes.add(
                      rule.method()
                          + " "
                          + rule.pathPattern()
                          + " ← "
                          + canonical.method()
                          + " "
                          + a);
                }
              }
            }
          });
      if (!escapes.isEmpty()) {
        fail(escapes.size() + " spelling(s) escaped their rule:\n" + String.join("\n", escapes));
      }
    }
  }

  /** The rules of every environment's conf, by what they match and count. */
  private static Map<String, Rule> configuredRules() {
    Vertx vertx = Vertx.vertx();
    try {
      Map<String, Rule> rules = new LinkedHashMap<>();
      for (String environment : List.of("development", "staging", "production")) {
        Map<String, String> env =
            new java.util.HashMap<>(
                Map.of(
                    "ENVIRONMENT",
                    environment,
                    "DATABASE_URL",
                    "postgresql://u:p@db:5432/app",
                    "REDIS_URL",
                    "redis://cache:6379",
                    "JWT_SECRET_KEY",
                    "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx",
                    "PASSWORD_PEPPER",
                    "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb",
                    "SMTP_URL",
                    "smtp://mail.example.com:587",
                    "PUBLIC_BASE_URL",
                    "https://app.example.com"));
        env.put("MFA_ENCRYPTION_KEY", "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9");
        BulwarkConfig config =
            Await.result(new ConfigLoader(vertx, Path.of("conf")).load(env, Map.of()));
        for (Rule rule : config.rateLimit().rules()) {
          rules.putIfAbsent(rule.method() + " " + rule.pathPattern() + " " + rule.key(), rule);
        }
      }
      return rules;
    } finally {
      Await.result(vertx.close());
    }
  }

  private static boolean matches(Rule rule, Sample sample) {
    return (rule.method() == null || rule.method().equals(sample.method().name()))
        && RateLimitRules.PathPattern.parse(rule.pathPattern()).matches(sample.path());
  }

  /**
   * Routed requests with an answer of their own that is not a 404; a delete gets a task of its own
   * each time.
   */
  private static List<Supplier<Sample>> samples(TestServer server, TestUser user) {
    // a buffer is written once: each attempt gets its own
    return List.of(
        () -> new Sample(HttpMethod.POST, "/api/v1/auth/login", Buffer.buffer("{}")),
        () -> new Sample(HttpMethod.POST, "/api/v1/auth/signup", Buffer.buffer("{}")),
        () -> new Sample(HttpMethod.POST, "/api/v1/auth/refresh", Buffer.buffer("{}")),
        () -> new Sample(HttpMethod.GET, "/api/status", null),
        () -> new Sample(HttpMethod.GET, "/api/v1/me", null),
        () -> new Sample(HttpMethod.GET, "/api/v1/tasks", null),
        // a user's: 403 from the role check, counted like any answer
        () -> new Sample(HttpMethod.GET, "/api/v1/admin/users", null),
        () -> new Sample(HttpMethod.GET, "/api/v1/me/export", null),
        // no password: 400, and the account stays
        () -> new Sample(HttpMethod.DELETE, "/api/v1/me", Buffer.buffer("{}")),
        () -> new Sample(HttpMethod.DELETE, "/api/v1/tasks/" + newTask(server, user), null));
  }

  private static String newTask(TestServer server, TestUser user) {
    var r =
        server.send(
            TestUsers.as(server, user, HttpMethod.POST, "/api/v1/tasks"),
            new JsonObject().put("title", "t"));
    assertEquals(201, r.statusCode(), r::bodyAsString);
    return r.bodyAsJsonObject().getString("id");
  }

  /**
   * Other spellings of {@code path}: dot segments, doubled slashes, percent-encoding, letter case,
   * a final slash.
   */
  static Set<String> spellings(String path) {
    int last = path.lastIndexOf('/');
    String head = path.substring(0, last);
    String tail = path.substring(last + 1);
    int second = path.indexOf('/', 1);
    String first = path.substring(1, second);
    String afterFirst = path.substring(second);
    char c = tail.charAt(0);
    String hex = String.format("%02x", (int) c);
    Set<String> out = new LinkedHashSet<>();
    // dot segments, plain and encoded
    out.add(head + "/x/../" + tail);
    out.add("/x/.." + path);
    out.add("/." + path);
    out.add(head + "/./" + tail);
    out.add(path + "/.");
    out.add(path + "/x/..");
    out.add(head + "/x/%2e%2e/" + tail);
    out.add(head + "/x/%2E%2E/" + tail);
    out.add(head + "/x/.%2e/" + tail);
    out.add(head + "/%2e/" + tail);
    // doubled slashes
    out.add("/" + path);
    out.add(head + "//" + tail);
    out.add(path + "//");
    // percent-encoding: a letter, a slash, a backslash
    out.add(head + "/%" + hex + tail.substring(1));
    out.add(head + "/%" + hex.toUpperCase(Locale.ROOT) + tail.substring(1));
    out.add(head + "%2F" + tail);
    out.add(head + "%2f" + tail);
    out.add(head + "/x%2F..%2F" + tail);
    out.add(head + "/x%2f..%2f" + tail);
    out.add(head + "%5C" + tail);
    out.add(head + "/x%5C..%5C" + tail);
    // letter case
    out.add(path.toUpperCase(Locale.ROOT));
    out.add("/" + first.toUpperCase(Locale.ROOT) + afterFirst);
    out.add(head + "/" + Character.toUpperCase(c) + tail.substring(1));
    // a final slash (the router ignores it: the rule must too)
    out.add(path + "/");
    out.remove(path);
    return out;
  }

  /**
   * One request on a connection of its own, written byte for byte (the spellings under test include
   * raw forms an HTTP client library would normalise or refuse), read to the end of the server's
   * answer.
   */
  private static Attempt send(TestServer server, TestUser user, Sample sample, String spelling) {
    byte[] body = sample.body() == null ? new byte[0] : sample.body().getBytes();
    StringBuilder head =
        new StringBuilder()
            .append(sample.method().name())
            .append(' ')
            .append(spelling)
            .append(" HTTP/1.1\r\n")
            .append("Host: 127.0.0.1:")
            .append(server.port())
            .append("\r\n")
            .append("Authorization: ")
            .append(user.bearer())
            .append("\r\n")
            .append("Connection: close\r\n");
    if (sample.body() != null) {
      head.append("Content-Type: application/json\r\n");
    }
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    byte[] answer;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
      answer = socket.getInputStream().readAllBytes();
    } catch (SocketTimeoutException e) {
      throw new AssertionError(
          sample.method() + " " + spelling + ": no complete answer within 10 s", e);
    } catch (IOException e) {
      throw new UncheckedIOException(sample.method() + " " + spelling, e);
    }
    String text = new String(answer, StandardCharsets.UTF_8);
    int split = text.indexOf("\r\n\r\n");
    assertTrue(split > 0, sample.method() + " " + spelling + ": not an HTTP answer: " + text);
    String[] lines = text.substring(0, split).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    String contentType = "";
    String policies = "";
    for (String line : lines) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-type:")) {
        contentType = line.substring(line.indexOf(':') + 1).trim();
      } else if (lower.startsWith("ratelimit-policy:")) {
        policies = line.substring(line.indexOf(':') + 1).trim();
      }
    }
    String payload = text.substring(split + 4);
    String code = null;
    if (contentType.contains("json") && payload.startsWith("{")) {
      code = new JsonObject(payload).getString("code");
    }
    return new Attempt(spelling, status, code, policies);
  }
}
