package dev.bulwark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/**
 * Checks the one error shape every endpoint shares (RFC 9457 problem+json with code and request
 * id).
 */
public final class ProblemAssertions {
  private ProblemAssertions() {}

  public static JsonObject assertProblem(HttpResponse<Buffer> response, int status, String code) {
    assertEquals(status, response.statusCode(), () -> "status; body: " + response.bodyAsString());
    assertEquals("application/problem+json", response.getHeader("Content-Type"));
    JsonObject body = response.bodyAsJsonObject();
    assertEquals(status, body.getInteger("status"));
    assertEquals(code, body.getString("code"), () -> "code; body: " + body);
    assertNotNull(body.getString("title"));
    assertNotNull(body.getString("detail"));
    assertTrue(body.getString("type").endsWith(code));
    String requestId = response.getHeader("X-Request-Id");
    assertNotNull(requestId, "X-Request-Id header");
    assertEquals(requestId, body.getString("request_id"));
    return body;
  }
}
