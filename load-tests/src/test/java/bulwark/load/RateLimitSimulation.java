package bulwark.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

/**
 * 429s start exactly at the configured thresholds, with the headers the contract promises. Runs against a server
 * whose rate-limit rules are small and known (run-benchmark.sh starts one with them; fresh windows), one request at
 * a time from one virtual user:
 * <ul>
 *   <li>{@code profile}: {@code GET /api/v1/me}, key {@code user}, {@code userLimit}/1m — user A gets exactly
 *       {@code userLimit} 200s, then 429; user B, same IP, still gets 200;</li>
 *   <li>{@code reads}: {@code GET /api/v1/tasks*}, key {@code ip}, {@code readsLimit}/1m — A and B alternating share
 *       the IP's {@code readsLimit}, then 429 whoever asks;</li>
 *   <li>{@code auth}: {@code POST /api/v1/auth/*}, key {@code ip}, {@code authLimit}/1m — refreshes with an unknown
 *       token get 401 {@code authLimit} times, then 429.</li>
 * </ul>
 * Every answer under a rule carries {@code RateLimit-Policy}, {@code RateLimit}, {@code X-RateLimit-Limit} (= the
 * limit), {@code X-RateLimit-Remaining} (= limit − requests so far) and {@code X-RateLimit-Reset}; a rejection is
 * 429 problem+json {@code rate_limited} with {@code Retry-After}. Any deviation fails a request; the assertion
 * allows none.
 *
 * <p>-DuserLimit=10 -DreadsLimit=20 -DauthLimit=5 -Dp99Ms=1000 (a correctness check on a freshly started JVM: its first requests are cold)
 */
public class RateLimitSimulation extends Simulation {
  private final int userLimit = Params.integer("userLimit", 10);
  private final int readsLimit = Params.integer("readsLimit", 20);
  private final int authLimit = Params.integer("authLimit", 5);
  private static final String UNKNOWN_REFRESH_TOKEN = "A".repeat(43);

  /** The headers of an answer counted against a rule with {@code limit}, as the {@code n}-th request. */
  private static HttpRequestActionBuilder counted(HttpRequestActionBuilder request, int expectedStatus, int limit,
      String counter) {
    return request.check(
        status().is(expectedStatus),
        header("RateLimit-Policy").exists(),
        header("RateLimit").exists(),
        header("X-RateLimit-Limit").is(Integer.toString(limit)),
        header("X-RateLimit-Remaining").isEL("#{" + counter + "_remaining}"),
        header("X-RateLimit-Reset").exists());
  }

  private static HttpRequestActionBuilder rejected(HttpRequestActionBuilder request, int limit) {
    return request.check(
        status().is(429),
        header("Content-Type").is("application/problem+json"),
        jsonPath("$.code").is("rate_limited"),
        header("Retry-After").exists(),
        header("X-RateLimit-Limit").is(Integer.toString(limit)),
        header("X-RateLimit-Remaining").is("0"));
  }

  private static ChainBuilder countdown(String counter, int limit, String tokenKey, HttpRequestFactory request,
      int expectedStatus) {
    return exec(session -> session.set(counter + "_n", 0)).repeat(limit).on(
        exec(session -> {
          int n = session.getInt(counter + "_n") + 1;
          return session.set(counter + "_n", n).set(counter + "_remaining", Integer.toString(limit - n))
              .set("bearer", "Bearer " + session.getString(tokenKey.equals("alternate")
                  ? (n % 2 == 0 ? "b_token" : "a_token") : tokenKey));
        }).exec(counted(request.build(counter + " within limit"), expectedStatus, limit, counter)));
  }

  /** Builds a named request (so each phase reports separately). */
  interface HttpRequestFactory {
    HttpRequestActionBuilder build(String name);
  }

  private final ScenarioBuilder probe = scenario("rate-limit thresholds")
      .feed(Api.accounts())
      .exec(session -> session.set("a_token", session.getString("access_token")))
      .feed(Api.accounts())
      .exec(session -> session.set("b_token", session.getString("access_token")))
      // key: user
      .exec(countdown("profile", userLimit, "a_token",
          name -> http(name).get("/api/v1/me").header("Authorization", "#{bearer}"), 200))
      .exec(rejected(http("profile over limit").get("/api/v1/me").header("Authorization", "Bearer #{a_token}"), userLimit))
      .exec(http("profile other user").get("/api/v1/me").header("Authorization", "Bearer #{b_token}")
          .check(status().is(200)))
      // key: ip, shared by both users
      .exec(countdown("reads", readsLimit, "alternate",
          name -> http(name).get("/api/v1/tasks").header("Authorization", "#{bearer}"), 200))
      .exec(rejected(http("reads over limit").get("/api/v1/tasks").header("Authorization", "Bearer #{b_token}"), readsLimit))
      // key: ip, unauthenticated
      .exec(countdown("auth", authLimit, "a_token",
          name -> http(name).post("/api/v1/auth/refresh")
              .body(StringBody("{\"refresh_token\":\"" + UNKNOWN_REFRESH_TOKEN + "\"}")), 401))
      .exec(rejected(http("auth over limit").post("/api/v1/auth/refresh")
          .body(StringBody("{\"refresh_token\":\"" + UNKNOWN_REFRESH_TOKEN + "\"}")), authLimit));

  {
    Params.announce("RateLimit", "user " + userLimit + "/1m on GET /api/v1/me, ip " + readsLimit
        + "/1m on GET /api/v1/tasks*, ip " + authLimit + "/1m on POST /api/v1/auth/*");
    setUp(probe.injectOpen(atOnceUsers(1)))
        .protocols(Api.protocol())
        .assertions(
            global().failedRequests().count().is(0L),
            global().responseTime().percentile(99.0).lt(Params.integer("p99Ms", 1000)));
  }
}
