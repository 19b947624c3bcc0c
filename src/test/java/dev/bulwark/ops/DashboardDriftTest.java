package dev.bulwark.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The shipped Grafana dashboard ({@code deploy/grafana/bulwark.json}) and alert rules ({@code
 * deploy/prometheus/alerts.yml}) use only metrics a running server exports: every metric name in
 * every PromQL expression is looked for among the series of a real scrape, after traffic that makes
 * the lazily registered ones appear (a 429 under a rule, a problem response, a GC).
 */
@BulwarkTest(
    env =
        "RATE_LIMIT_RULES=[{\"name\":\"driftcheck\",\"match\":\"GET /api/status\",\"key\":\"ip\","
            + "\"limits\":[\"1/1m\"]}]")
class DashboardDriftTest {
  @BulwarkTest.Server static TestServer server;

  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan");

  /**
   * The metric names a PromQL expression reads: identifiers that are neither functions (followed by
   * a parenthesis), keywords, label names (in matchers or grouping clauses) nor parts of numbers.
   */
  static Set<String> metricNames(String expr) {
    String s =
        expr.replaceAll("\"[^\"]*\"", "\"\"")
            .replaceAll("\\{[^}]*\\}", " ")
            .replaceAll("\\[[^\\]]*\\]", " ")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> out = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String word = m.group();
      int after = m.end();
      while (after < s.length() && Character.isWhitespace(s.charAt(after))) {
        after++;
      }
      boolean function = after < s.length() && s.charAt(after) == '(';
      boolean inNumber =
          m.start() > 0
              && (Character.isDigit(s.charAt(m.start() - 1)) || s.charAt(m.start() - 1) == '.');
      if (!function && !inNumber && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
        out.add(word);
      }
    }
    return out;
  }

  @Test
  void theExtractorFindsMetricNamesAndNothingElse() {
    assertEquals(
        Set.of("a_bucket", "b_total"),
        metricNames(
            "histogram_quantile(0.99, sum by (route, le) (rate(a_bucket{code=~\"5..\"}[5m])))"
                + " / clamp_min(sum without (x) (b_total{job=~\"$job\"}), 1e-9) > 0.5"
                + " and on (job) vector(1)"));
  }

  /** Every PromQL expression in the dashboard: panel targets and template variable queries. */
  private static List<String> dashboardExpressions() throws Exception {
    JsonObject dashboard =
        new JsonObject(Files.readString(Path.of("deploy", "grafana", "bulwark.json")));
    List<String> out = new ArrayList<>();
    collect(dashboard.getJsonArray("panels"), out);
    for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
      String query = ((JsonObject) v).getString("query", "");
      Matcher m = Pattern.compile("label_values\\(([^,)]+)").matcher(query);
      if (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  private static void collect(JsonArray panels, List<String> out) {
    for (Object p : panels) {
      JsonObject panel = (JsonObject) p;
      if (panel.containsKey("panels")) {
        collect(panel.getJsonArray("panels"), out);
      }
      if (panel.containsKey("targets")) {
        for (Object t : panel.getJsonArray("targets")) {
          out.add(((JsonObject) t).getString("expr"));
        }
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static List<String> alertExpressions() throws Exception {
    Map<String, Object> doc =
        new Yaml().load(Files.readString(Path.of("deploy", "prometheus", "alerts.yml")));
    List<String> out = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        out.add(String.valueOf(rule.get("expr")));
      }
    }
    return out;
  }

  @Test
  void everyMetricTheDashboardAndTheAlertsUseIsExported() throws Exception {
    // the series that appear on first use: a 429 under a rule (and its problem), a pooled query,
    // a Redis call, a bcrypt hand-off, a collection
    TestUsers.signup(server);
    for (int i = 0; i < 3; i++) {
      server.get("/api/status");
    }
    server.get("/ready");
    System.gc();
    Set<String> exported =
        Await.until(
            () -> {
              Set<String> names = new TreeSet<>();
              for (String line : server.get("/metrics").bodyAsString().split("\n")) {
                Matcher m = SAMPLE.matcher(line);
                if (m.find()) {
                  names.add(m.group(1));
                }
              }
              return names.contains("jvm_gc_pause_seconds_count")
                      && names.contains("bulwark_rate_limited_total")
                  ? names
                  : null;
            });

    List<String> expressions = new ArrayList<>(dashboardExpressions());
    int dashboardCount = expressions.size();
    expressions.addAll(alertExpressions());
    assertTrue(dashboardCount >= 20, "the dashboard's panels were read: " + dashboardCount);
    assertTrue(expressions.size() - dashboardCount >= 8, "the alert rules were read");

    Set<String> used = new TreeSet<>();
    expressions.forEach(e -> used.addAll(metricNames(e)));
    // what the issue asks the dashboard to show, by the metric that shows it
    assertTrue(
        used.containsAll(
            Set.of(
                "vertx_http_server_requests_total",
                "vertx_http_server_response_time_seconds_bucket",
                "bulwark_rate_limited_total",
                "bulwark_events_total",
                "bulwark_hasher_outstanding",
                "bulwark_problems_total",
                "vertx_pool_in_use",
                "vertx_pool_queue_pending",
                "bulwark_event_loop_lag_max_seconds",
                "jvm_memory_used_bytes",
                "jvm_gc_pause_seconds_sum")),
        "the dashboard and alerts cover the issue's list: " + used);

    Set<String> missing = new TreeSet<>(used);
    missing.removeAll(exported);
    assertEquals(Set.of(), missing, "used by deploy/ but not exported on /metrics");
  }
}
