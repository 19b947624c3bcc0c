package dev.bulwark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** Accounts for tests, created through the real signup endpoint. */
public final class TestUsers {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  public static final String PASSWORD = "Tr0ub4dor&3-horse-staple";

  private TestUsers() {}

  /** A signed-up user and the token pair signup returned. */
  public record TestUser(
      String email,
      String password,
      UUID id,
      UUID sessionId,
      String accessToken,
      String refreshToken) {
    public String bearer() {
      return "Bearer " + accessToken;
    }
  }

  public static String uniqueEmail() {
    return "user"
        + COUNTER.incrementAndGet()
        + "-"
        + UUID.randomUUID().toString().substring(0, 8)
        + "@example.com";
  }

  public static TestUser signup(TestServer server) {
    String email = uniqueEmail();
    HttpResponse<Buffer> r =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/signup"),
            new JsonObject().put("email", email).put("password", PASSWORD));
    assertEquals(201, r.statusCode(), () -> "signup failed: " + r.bodyAsString());
    return fromPair(email, PASSWORD, r.bodyAsJsonObject());
  }

  public static TestUser fromPair(String email, String password, JsonObject pair) {
    String access = pair.getString("access_token");
    return new TestUser(
        email,
        password,
        UUID.fromString(claims(access).getString("sub")),
        UUID.fromString(pair.getString("session_id")),
        access,
        pair.getString("refresh_token"));
  }

  /** The (unverified) claims of a JWT, for assertions. */
  public static JsonObject claims(String jwt) {
    String payload = jwt.split("\\.")[1];
    return new JsonObject(
        new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
  }

  /** A request carrying the user's access token. */
  public static HttpRequest<Buffer> as(
      TestServer server, TestUser user, HttpMethod method, String path) {
    return server.request(method, path).putHeader("Authorization", user.bearer());
  }
}
