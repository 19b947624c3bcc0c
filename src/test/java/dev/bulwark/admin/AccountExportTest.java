package dev.bulwark.admin;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/me/export}: one JSON document with everything held about the caller, streamed
 * (chunked, no Content-Length: the server never holds the whole document), complete and valid for
 * an account with 100,000 tasks. The request timeout is cut to 2 s here: a document that has
 * started streaming is not cut by it (the export bounds itself: a stalled reader, a deadline), and
 * 100,000 tasks take longer than that on a shared test machine.
 */
@BulwarkTest(props = "http.requestTimeout=2s")
class AccountExportTest {
  @BulwarkTest.Server private static TestServer server;

  /**
   * Waits up to 3 minutes (not the usual 30 s): 27 MB on a test machine shared by several builds
   * can take longer than that, and how long it takes is not what is tested.
   */
  private static HttpResponse<Buffer> export(TestUser u) {
    try {
      return TestUsers.as(server, u, HttpMethod.GET, "/api/v1/me/export")
          .send()
          .await(3, TimeUnit.MINUTES);
    } catch (TimeoutException e) {
      throw new AssertionError("no export within 3 minutes", e);
    }
  }

  @Test
  void theDocumentHoldsProfileSessionsTasksAndEvents() {
    TestUser u = TestUsers.signup(server);
    for (String title : new String[] {"keep one", "keep two", "delete me"}) {
      assertEquals(
          201,
          server
              .send(
                  TestUsers.as(server, u, HttpMethod.POST, "/api/v1/tasks"),
                  new JsonObject()
                      .put("title", title)
                      .put("location", new JsonObject().put("lat", 48.2082).put("lon", 16.3738)))
              .statusCode());
    }
    Staff.sql(
        TestServices.get().databaseUrl(),
        "UPDATE tasks SET deleted_at = now(), title = '' WHERE user_id = ? AND title = 'delete me'",
        u.id());

    HttpResponse<Buffer> r = export(u);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("application/json", r.getHeader("Content-Type"));
    assertTrue(r.getHeader("Content-Disposition").startsWith("attachment"));
    assertEquals("chunked", r.getHeader("Transfer-Encoding"));
    assertNull(r.getHeader("Content-Length"));

    JsonObject doc = r.bodyAsJsonObject();
    assertEquals(u.email(), doc.getJsonObject("profile").getString("email"));
    assertEquals(u.id().toString(), doc.getJsonObject("profile").getString("id"));
    assertEquals(
        u.sessionId().toString(), doc.getJsonArray("sessions").getJsonObject(0).getString("id"));
    JsonArray tasks = doc.getJsonArray("tasks");
    assertEquals(2, tasks.size(), "tombstones are not data any more");
    assertEquals("keep one", tasks.getJsonObject(0).getString("title"));
    assertEquals(
        new JsonObject().put("lat", 48.2082).put("lon", 16.3738),
        tasks.getJsonObject(0).getJsonObject("location"),
        "a task's location is the user's data too");
    assertTrue(
        doc.getJsonArray("audit_events").stream()
            .anyMatch(e -> "signup".equals(((JsonObject) e).getString("event"))));
  }

  @Test
  void anAccountWith100000TasksExportsCompletely() {
    TestUser u = TestUsers.signup(server);
    Staff.sql(
        TestServices.get().databaseUrl(),
        "INSERT INTO tasks (user_id, title, notes, created_at, updated_at)"
            + " SELECT ?, 'task ' || n, 'a note with \"quotes\" and \\ backslash ' || n,"
            + " now() - interval '1 day' + n * interval '1 millisecond', now()"
            + " FROM generate_series(1, 100000) n",
        u.id());

    HttpResponse<Buffer> r = export(u);
    assertEquals(200, r.statusCode(), () -> r.bodyAsString().substring(0, 500));
    JsonObject doc = new JsonObject(r.body());
    JsonArray tasks = doc.getJsonArray("tasks");
    assertEquals(100_000, tasks.size());
    Set<String> ids = new HashSet<>();
    tasks.forEach(t -> ids.add(((JsonObject) t).getString("id")));
    assertEquals(100_000, ids.size());
    assertEquals("task 1", tasks.getJsonObject(0).getString("title"));
    assertEquals("task 100000", tasks.getJsonObject(99_999).getString("title"));
    assertEquals(
        "a note with \"quotes\" and \\ backslash 7", tasks.getJsonObject(6).getString("notes"));
    assertEquals(u.email(), doc.getJsonObject("profile").getString("email"));
    assertTrue(doc.containsKey("audit_events"));
  }

  @Test
  void onlyTheOwnerExportsAndOnlyWithAToken() {
    assertProblem(server.get("/api/v1/me/export"), 401, "missing_token");
  }
}
