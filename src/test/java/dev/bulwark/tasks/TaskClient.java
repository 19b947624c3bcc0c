package dev.bulwark.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One test user's view of /api/v1/tasks over real HTTP. */
final class TaskClient {
  static final String BASE = "/api/v1/tasks";

  /** An updated_since inside the tombstone retention, before anything a test creates. */
  static final String SINCE_START = java.time.Instant.now().minusSeconds(3600).toString();

  final TestServer server;
  final TestUser user;

  TaskClient(TestServer server, TestUser user) {
    this.server = server;
    this.user = user;
  }

  static TaskClient signup(TestServer server) {
    return new TaskClient(server, TestUsers.signup(server));
  }

  HttpRequest<Buffer> request(HttpMethod method, String path) {
    return TestUsers.as(server, user, method, path);
  }

  HttpResponse<Buffer> create(JsonObject body) {
    return server.send(request(HttpMethod.POST, BASE), body);
  }

  /** Creates a task and checks the 201; returns its body. */
  JsonObject created(JsonObject body) {
    HttpResponse<Buffer> r = create(body);
    assertEquals(201, r.statusCode(), r::bodyAsString);
    return r.bodyAsJsonObject();
  }

  JsonObject created(String title) {
    return created(new JsonObject().put("title", title));
  }

  HttpResponse<Buffer> get(String id) {
    return server.send(request(HttpMethod.GET, BASE + "/" + id));
  }

  HttpResponse<Buffer> list(String query) {
    return server.send(request(HttpMethod.GET, query.isEmpty() ? BASE : BASE + "?" + query));
  }

  HttpResponse<Buffer> patch(String id, JsonObject body, String ifMatch) {
    HttpRequest<Buffer> req = request(HttpMethod.PATCH, BASE + "/" + id);
    if (ifMatch != null) {
      req.putHeader("If-Match", ifMatch);
    }
    return server.send(
        req.putHeader("Content-Type", "application/merge-patch+json"), body.toBuffer());
  }

  HttpResponse<Buffer> delete(String id, String ifMatch) {
    HttpRequest<Buffer> req = request(HttpMethod.DELETE, BASE + "/" + id);
    if (ifMatch != null) {
      req.putHeader("If-Match", ifMatch);
    }
    return server.send(req);
  }

  /**
   * Every item of a list query, following next_cursor to the last page; checks each page's size
   * bound.
   */
  List<JsonObject> all(String query, int limit) {
    List<JsonObject> out = new ArrayList<>();
    String cursor = null;
    for (int pages = 0; pages < 10_000; pages++) {
      String q =
          query
              + (query.isEmpty() ? "" : "&")
              + "limit="
              + limit
              + (cursor == null ? "" : "&cursor=" + cursor);
      HttpResponse<Buffer> r = list(q);
      assertEquals(200, r.statusCode(), r::bodyAsString);
      JsonObject page = r.bodyAsJsonObject();
      JsonArray items = page.getJsonArray("items");
      assertTrue(items.size() <= limit);
      items.forEach(i -> out.add((JsonObject) i));
      cursor = page.getString("next_cursor");
      if (cursor == null) {
        return out;
      }
      assertEquals(limit, items.size(), "a page before the last is full");
    }
    throw new AssertionError("too many pages");
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
