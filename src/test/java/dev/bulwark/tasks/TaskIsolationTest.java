package dev.bulwark.tasks;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two users: neither can see, change, delete or page into the other's tasks, on any route — a
 * foreign task is indistinguishable from a missing one (404, never 403), and lists and delta sync
 * hold only the caller's tasks.
 */
@BulwarkTest
class TaskIsolationTest {
  @BulwarkTest.Server private static TestServer server;
  private static TaskClient alice;
  private static TaskClient bob;

  @BeforeAll
  static void start() {
    alice = TaskClient.signup(server);
    bob = TaskClient.signup(server);
  }

  @Test
  void anotherUsersTaskIs404ForGetPatchAndDeleteAndStaysUntouched() {
    JsonObject secret =
        alice.created(new JsonObject().put("title", "Alice's secret").put("notes", "private"));
    String id = secret.getString("id");

    JsonObject get = assertProblem(bob.get(id), 404, "not_found");
    JsonObject missing =
        assertProblem(bob.get("00000000-0000-4000-8000-000000000000"), 404, "not_found");
    assertEquals(
        missing.getString("detail"), get.getString("detail"), "foreign looks exactly like missing");
    assertProblem(bob.patch(id, new JsonObject().put("title", "pwned"), null), 404, "not_found");
    assertProblem(bob.patch(id, new JsonObject().put("title", "pwned"), "*"), 404, "not_found");
    assertProblem(bob.patch(id, new JsonObject().put("title", "pwned"), "\"1\""), 404, "not_found");
    assertProblem(bob.delete(id, null), 404, "not_found");
    assertProblem(bob.delete(id, "\"1\""), 404, "not_found");
    HttpResponse<Buffer> conditional =
        server.send(
            bob.request(HttpMethod.GET, TaskClient.BASE + "/" + id)
                .putHeader("If-None-Match", "\"1\""));
    assertProblem(conditional, 404, "not_found");

    HttpResponse<Buffer> mine = alice.get(id);
    assertEquals(200, mine.statusCode());
    assertEquals(secret, mine.bodyAsJsonObject(), "unchanged: same title, version and updated_at");
  }

  @Test
  void listsAndFiltersHoldOnlyTheCallersTasks() {
    String marker = "iso-" + System.nanoTime();
    for (int i = 0; i < 3; i++) {
      alice.created(new JsonObject().put("title", marker + " alice " + i).put("status", "done"));
      bob.created(new JsonObject().put("title", marker + " bob " + i).put("status", "done"));
    }
    for (String query :
        List.of(
            "",
            "status=done",
            "q=" + marker,
            "sort=due_at",
            "sort=updated_at&order=asc",
            "updated_since=" + TaskClient.SINCE_START)) {
      Set<String> aliceIds = ids(alice.all(query, 2));
      Set<String> bobIds = ids(bob.all(query, 2));
      assertTrue(aliceIds.stream().noneMatch(bobIds::contains), query);
      for (JsonObject t : bob.all(query, 50)) {
        if (t.containsKey("title")) {
          assertTrue(!t.getString("title").contains("alice"), query + ": " + t);
        }
      }
    }
    assertEquals(3, alice.all("q=" + marker, 100).size());
    assertEquals(3, bob.all("q=" + marker, 100).size());
  }

  @Test
  void deletingAnotherUsersDeletedTaskIsStill404() {
    JsonObject t = alice.created("Alice deletes this first");
    assertEquals(204, alice.delete(t.getString("id"), null).statusCode());
    assertProblem(bob.delete(t.getString("id"), null), 404, "not_found");
  }

  @Test
  void anotherUsersTombstoneIsNotInDeltaSync() {
    String since = TaskClient.SINCE_START;
    JsonObject t = alice.created("Alice deletes this");
    assertEquals(204, alice.delete(t.getString("id"), null).statusCode());
    assertTrue(ids(alice.all("updated_since=" + since, 100)).contains(t.getString("id")));
    assertTrue(!ids(bob.all("updated_since=" + since, 100)).contains(t.getString("id")));
  }

  @Test
  void aCursorIssuedToOneUserIsRefusedForAnother() {
    for (int i = 0; i < 3; i++) {
      alice.created("cursor " + i);
      bob.created("cursor " + i);
    }
    String cursor = alice.list("limit=1").bodyAsJsonObject().getString("next_cursor");
    assertProblem(bob.list("limit=1&cursor=" + cursor), 400, "invalid_cursor");
    assertEquals(200, alice.list("limit=1&cursor=" + cursor).statusCode());
  }

  @Test
  void everyRouteNeedsAValidToken() {
    String id = alice.created("needs auth").getString("id");
    for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.PATCH, HttpMethod.DELETE)) {
      assertProblem(
          server.send(server.request(m, TaskClient.BASE + "/" + id)), 401, "missing_token");
    }
    assertProblem(
        server.send(server.request(HttpMethod.GET, TaskClient.BASE)), 401, "missing_token");
    assertProblem(
        server.send(
            server.request(HttpMethod.POST, TaskClient.BASE), new JsonObject().put("title", "x")),
        401,
        "missing_token");
    HttpResponse<Buffer> forged =
        server.send(
            server
                .request(HttpMethod.GET, TaskClient.BASE + "/" + id)
                .putHeader("Authorization", "Bearer " + alice.user.accessToken() + "x"));
    assertEquals(401, forged.statusCode());
  }

  @Test
  void aTokenWhoseAccountIsGoneCannotCreate() throws Exception {
    TaskClient ghost = TaskClient.signup(server);
    try (var c =
            dev.bulwark.testing.TestServices.get()
                .jdbc(dev.bulwark.testing.TestServices.get().databaseUrl());
        var s = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
      s.setObject(1, ghost.user.id());
      assertEquals(1, s.executeUpdate());
    }
    assertProblem(ghost.create(new JsonObject().put("title", "orphan")), 401, "user_not_found");
    assertEquals(200, ghost.list("").statusCode(), "reads of a deleted account are simply empty");
    assertEquals(0, ghost.list("").bodyAsJsonObject().getJsonArray("items").size());
  }

  private static Set<String> ids(List<JsonObject> items) {
    return items.stream().map(i -> i.getString("id")).collect(Collectors.toSet());
  }
}
