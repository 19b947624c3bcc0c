package dev.bulwark.http;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 9110 §9.3.2: HEAD wherever GET is allowed — GET's status and headers, and no body. */
@BulwarkTest
class HeadRequestsTest {
  @BulwarkTest.Server private static TestServer server;

  @Test
  void everyPublicGetRouteAnswersHeadWithGetsStatusAndNoBody() {
    for (String path : List.of("/health", "/ready", "/api/status", "/openapi.yaml", "/metrics")) {
      HttpResponse<Buffer> get = server.get(path);
      HttpResponse<Buffer> head = server.send(server.request(HttpMethod.HEAD, path));
      assertEquals(get.statusCode(), head.statusCode(), path);
      assertEquals(get.getHeader("Content-Type"), head.getHeader("Content-Type"), path);
      assertNull(head.body(), path + " sent a body to HEAD");
    }
  }

  @Test
  void authenticatedHeadGoesThroughTheSameChainAsGet() {
    TestUser u = TestUsers.signup(server);
    HttpResponse<Buffer> created =
        server.send(
            TestUsers.as(server, u, HttpMethod.POST, "/api/v1/tasks"),
            new JsonObject().put("title", "headed"));
    assertEquals(201, created.statusCode());
    String path = "/api/v1/tasks/" + created.bodyAsJsonObject().getString("id");

    HttpResponse<Buffer> head = server.send(TestUsers.as(server, u, HttpMethod.HEAD, path));
    assertEquals(200, head.statusCode());
    assertEquals(created.getHeader("ETag"), head.getHeader("ETag"));
    assertNotNull(head.getHeader("X-Request-Id"));
    assertNull(head.body());
    for (String p : List.of("/api/v1/tasks", "/api/v1/me", "/api/v1/auth/sessions")) {
      HttpResponse<Buffer> r = server.send(TestUsers.as(server, u, HttpMethod.HEAD, p));
      assertEquals(200, r.statusCode(), p);
      assertNull(r.body(), p);
    }

    HttpResponse<Buffer> anonymous = server.send(server.request(HttpMethod.HEAD, path));
    assertEquals(401, anonymous.statusCode(), "HEAD needs the token GET needs");
    assertNull(anonymous.body());
  }

  @Test
  void headIsInAllowAndOnlyWhereGetIs() {
    HttpResponse<Buffer> r = server.send(server.request(HttpMethod.PUT, "/api/v1/me"));
    assertProblem(r, 405, "method_not_allowed");
    assertEquals("DELETE, GET, HEAD, PATCH, OPTIONS", r.getHeader("Allow"));
    HttpResponse<Buffer> postOnly =
        server.send(server.request(HttpMethod.HEAD, "/api/v1/auth/login"));
    assertEquals(405, postOnly.statusCode());
    assertEquals("POST, OPTIONS", postOnly.getHeader("Allow"));
  }
}
