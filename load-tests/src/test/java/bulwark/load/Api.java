package bulwark.load;

import static io.gatling.javaapi.core.CoreDsl.csv;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.FeederBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

/** What the simulations share: the protocol, the seeded accounts, and the authenticated list request. */
final class Api {
  private Api() {
  }

  /** A keep-alive HTTP/1.1 client like the mobile app's; no compression asked, so bodies are the server's JSON. */
  static HttpProtocolBuilder protocol() {
    return http.baseUrl(Params.baseUrl())
        .acceptHeader("application/json")
        .contentTypeHeader("application/json")
        .userAgentHeader("bulwark-load/1.0 (gatling)")
        .disableCaching();
  }

  /**
   * The accounts written by {@code java -jar bulwark.jar seed}: email, password, user_id, session_id, access_token,
   * refresh_token. Random order, so concurrent virtual users spread over accounts.
   */
  static FeederBuilder<String> accounts() {
    return csv(Params.usersFile()).random();
  }

  static HttpRequestActionBuilder listTasks(String name) {
    return http(name).get("/api/v1/tasks")
        .header("Authorization", "Bearer #{access_token}")
        .check(status().is(200), jsonPath("$.items").exists());
  }
}
