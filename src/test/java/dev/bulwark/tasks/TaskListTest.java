package dev.bulwark.tasks;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Listing: orders, filters, keyset pagination (ties, undated tasks, concurrent inserts) and cursor
 * rules.
 */
@BulwarkTest
class TaskListTest {
  @BulwarkTest.Server private static TestServer server;

  @Test
  void defaultIsNewestFirstTwentyPerPage() {
    TaskClient u = TaskClient.signup(server);
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      created.add(u.created("t" + i).getString("id"));
    }
    HttpResponse<Buffer> r = u.list("");
    assertEquals(200, r.statusCode());
    assertEquals("application/json", r.getHeader("Content-Type"));
    JsonObject page = r.bodyAsJsonObject();
    assertEquals(Set.of("items", "next_cursor"), page.fieldNames());
    JsonArray items = page.getJsonArray("items");
    assertEquals(20, items.size());
    assertEquals(created.get(22), items.getJsonObject(0).getString("id"), "newest first");
    JsonObject second = u.list("cursor=" + page.getString("next_cursor")).bodyAsJsonObject();
    assertEquals(3, second.getJsonArray("items").size());
    assertNull(second.getValue("next_cursor"), "null on the last page");
    assertTrue(second.containsKey("next_cursor"));
    assertEquals(created.get(0), second.getJsonArray("items").getJsonObject(2).getString("id"));
  }

  @Test
  void anEmptyListIsAnEmptyPage() {
    TaskClient u = TaskClient.signup(server);
    JsonObject page = u.list("").bodyAsJsonObject();
    assertEquals(0, page.getJsonArray("items").size());
    assertNull(page.getValue("next_cursor"));
  }

  @Test
  void limitBoundsThePage() {
    TaskClient u = TaskClient.signup(server);
    for (int i = 0; i < 5; i++) {
      u.created("l" + i);
    }
    assertEquals(1, u.list("limit=1").bodyAsJsonObject().getJsonArray("items").size());
    JsonObject exact = u.list("limit=5").bodyAsJsonObject();
    assertEquals(5, exact.getJsonArray("items").size());
    assertNull(exact.getValue("next_cursor"), "no next page when the page holds the last row");
    assertEquals(5, u.list("limit=100").bodyAsJsonObject().getJsonArray("items").size());
  }

  @Test
  void everyOrderPagesToTheSameSequenceAsOneBigPage() {
    TaskClient u = TaskClient.signup(server);
    for (int i = 0; i < 17; i++) {
      JsonObject body = new JsonObject().put("title", "o" + i);
      if (i % 3 != 0) {
        body.put(
            "due_at",
            "2026-05-" + String.format("%02d", 1 + i % 5) + "T10:00:00Z"); // ties on purpose
      }
      String id = u.created(body).getString("id");
      if (i % 4 == 0) {
        u.patch(id, new JsonObject().put("notes", "touched"), null);
      }
    }
    for (String order :
        List.of(
            "",
            "sort=created_at&order=asc",
            "sort=updated_at",
            "sort=updated_at&order=asc",
            "sort=due_at",
            "sort=due_at&order=desc")) {
      List<String> whole = ids(u.all(order, 100));
      assertEquals(17, whole.size(), order);
      for (int limit : new int[] {1, 2, 5}) {
        assertEquals(whole, ids(u.all(order, limit)), order + " limit " + limit);
      }
    }
  }

  @Test
  void dueAtOrdersDatedAscendingThenUndatedWithIdBreakingTies() {
    TaskClient u = TaskClient.signup(server);
    List<JsonObject> made = new ArrayList<>();
    String[] dues = {
      "2026-03-02T00:00:00Z",
      null,
      "2026-03-01T00:00:00Z",
      "2026-03-02T00:00:00Z",
      null,
      "2026-03-02T00:00:00Z",
      "2026-02-28T23:59:59.999999Z"
    };
    for (String due : dues) {
      JsonObject body = new JsonObject().put("title", "due");
      if (due != null) {
        body.put("due_at", due);
      }
      made.add(u.created(body));
    }
    Comparator<JsonObject> byDue =
        Comparator.comparing(
            (JsonObject t) -> t.getString("due_at"),
            Comparator.nullsLast(Comparator.naturalOrder()));
    List<String> expected =
        made.stream()
            .sorted(byDue.thenComparing(t -> t.getString("id")))
            .map(t -> t.getString("id"))
            .toList();
    List<String> asc = ids(u.all("sort=due_at", 2));
    assertEquals(expected, asc);
    List<String> desc = new ArrayList<>(ids(u.all("sort=due_at&order=desc", 2)));
    java.util.Collections.reverse(desc);
    assertEquals(expected, desc, "descending is exactly the reverse");
  }

  @Test
  void updatedAtOrderFollowsTheLastChange() {
    TaskClient u = TaskClient.signup(server);
    String a = u.created("a").getString("id");
    String b = u.created("b").getString("id");
    String c = u.created("c").getString("id");
    u.patch(a, new JsonObject().put("status", "done"), null);
    assertEquals(List.of(a, c, b), ids(u.all("sort=updated_at", 10)));
    assertEquals(List.of(b, c, a), ids(u.all("sort=updated_at&order=asc", 10)));
    assertEquals(List.of(c, b, a), ids(u.all("", 10)), "created_at order does not move");
  }

  @Test
  void filtersByStatusPriorityDueWindowAndText() {
    TaskClient u = TaskClient.signup(server);
    String milk =
        u.created(
                new JsonObject()
                    .put("title", "Buy MILK")
                    .put("status", "todo")
                    .put("priority", "high")
                    .put("due_at", "2026-04-01T08:00:00Z"))
            .getString("id");
    String report =
        u.created(
                new JsonObject()
                    .put("title", "Report")
                    .put("notes", "include milk prices")
                    .put("status", "in_progress")
                    .put("priority", "low")
                    .put("due_at", "2026-04-02T08:00:00Z"))
            .getString("id");
    String done =
        u.created(
                new JsonObject()
                    .put("title", "Done thing")
                    .put("status", "done")
                    .put("due_at", "2026-04-03T08:00:00Z"))
            .getString("id");
    String undated = u.created(new JsonObject().put("title", "100% sure_thing")).getString("id");
    String deleted = u.created(new JsonObject().put("title", "deleted milk")).getString("id");
    u.delete(deleted, null);

    assertEquals(Set.of(milk, undated), idSet(u.all("status=todo", 10)));
    assertEquals(Set.of(done), idSet(u.all("status=done", 10)));
    assertEquals(Set.of(milk), idSet(u.all("priority=high", 10)));
    assertEquals(Set.of(done, undated), idSet(u.all("priority=normal", 10)));
    assertEquals(
        Set.of(milk, report), idSet(u.all("q=milk", 10)), "title or notes, case-insensitive");
    assertEquals(Set.of(milk), idSet(u.all("q=mIlK&status=todo", 10)));
    assertEquals(
        Set.of(undated), idSet(u.all("q=" + TaskClient.enc("100%"), 10)), "% matches itself");
    assertEquals(
        Set.of(undated), idSet(u.all("q=" + TaskClient.enc("e_t"), 10)), "_ matches itself");
    assertEquals(Set.of(), idSet(u.all("q=" + TaskClient.enc("0_%"), 10)));
    // due window: due_after inclusive, due_before exclusive; undated tasks are in neither
    assertEquals(Set.of(milk), idSet(u.all("due_before=2026-04-02T08:00:00Z", 10)));
    assertEquals(Set.of(report, done), idSet(u.all("due_after=2026-04-02T08:00:00Z", 10)));
    assertEquals(
        Set.of(report),
        idSet(u.all("due_after=2026-04-02T08:00:00Z&due_before=2026-04-03T08:00:00Z", 10)));
    assertEquals(
        Set.of(report),
        idSet(
            u.all(
                "due_after="
                    + TaskClient.enc("2026-04-02T10:00:00+02:00")
                    + "&due_before=2026-04-02T08:00:00.000001Z",
                10)),
        "offsets are honoured");
    assertEquals(
        List.of(milk, report, done), ids(u.all("sort=due_at&due_after=2026-01-01T00:00:00Z", 1)));
    assertEquals(Set.of(), idSet(u.all("status=done&priority=high", 10)));
  }

  @Test
  void pagingStaysExactWhileOtherRequestsInsert() {
    TaskClient u = TaskClient.signup(server);
    Set<String> original = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      JsonObject body = new JsonObject().put("title", "orig " + i);
      if (i % 2 == 0) {
        body.put("due_at", "2026-06-" + String.format("%02d", 1 + i % 28) + "T00:00:00Z");
      }
      original.add(u.created(body).getString("id"));
    }
    for (String order :
        List.of(
            "",
            "sort=created_at&order=asc",
            "sort=due_at",
            "sort=due_at&order=desc",
            "sort=updated_at&order=asc")) {
      List<Future<HttpResponse<Buffer>>> inserts = new ArrayList<>();
      List<String> seen = new ArrayList<>();
      String cursor = null;
      int n = 0;
      do {
        // concurrent writers: creates with due dates on both sides of the cursor, sent while the
        // page is read
        for (int k = 0; k < 3; k++) {
          JsonObject body = new JsonObject().put("title", "concurrent " + n++);
          if (k != 0) {
            body.put("due_at", "2026-06-" + String.format("%02d", 1 + (n * 7) % 28) + "T00:00:00Z");
          }
          inserts.add(u.request(HttpMethod.POST, TaskClient.BASE).sendJsonObject(body));
        }
        HttpResponse<Buffer> r =
            u.list(
                order
                    + (order.isEmpty() ? "" : "&")
                    + "limit=6"
                    + (cursor == null ? "" : "&cursor=" + cursor));
        assertEquals(200, r.statusCode(), r.bodyAsString());
        r.bodyAsJsonObject()
            .getJsonArray("items")
            .forEach(i -> seen.add(((JsonObject) i).getString("id")));
        cursor = r.bodyAsJsonObject().getString("next_cursor");
      } while (cursor != null);
      for (Future<HttpResponse<Buffer>> f : inserts) {
        assertEquals(201, Await.result(f).statusCode());
      }
      assertEquals(seen.size(), new HashSet<>(seen).size(), order + ": no duplicates");
      assertTrue(
          seen.containsAll(original), order + ": no task that existed throughout is skipped");
      original = new HashSet<>(ids(u.all("", 100)));
    }
  }

  @Test
  void cursorMustBelongToTheSameQuery() {
    TaskClient u = TaskClient.signup(server);
    for (int i = 0; i < 4; i++) {
      u.created(new JsonObject().put("title", "c" + i).put("status", "todo"));
    }
    String cursor = u.list("status=todo&limit=2").bodyAsJsonObject().getString("next_cursor");
    assertNotNull(cursor);
    assertEquals(
        200, u.list("status=todo&limit=3&cursor=" + cursor).statusCode(), "the limit may change");
    JsonObject p =
        assertProblem(u.list("status=done&limit=2&cursor=" + cursor), 400, "invalid_cursor");
    assertEquals("cursor", p.getJsonArray("errors").getJsonObject(0).getString("field"));
    assertProblem(u.list("limit=2&cursor=" + cursor), 400, "invalid_cursor");
    assertProblem(u.list("status=todo&order=asc&limit=2&cursor=" + cursor), 400, "invalid_cursor");
    assertProblem(
        u.list("status=todo&sort=updated_at&limit=2&cursor=" + cursor), 400, "invalid_cursor");
    assertProblem(u.list("status=todo&q=c&limit=2&cursor=" + cursor), 400, "invalid_cursor");
    assertProblem(
        u.list("updated_since=" + TaskClient.SINCE_START + "&cursor=" + cursor),
        400,
        "invalid_cursor");
  }

  @Test
  void tamperedOrMalformedCursorsAre400() {
    TaskClient u = TaskClient.signup(server);
    for (int i = 0; i < 3; i++) {
      u.created("x" + i);
    }
    String cursor = u.list("limit=1").bodyAsJsonObject().getString("next_cursor");
    char[] flipped = cursor.toCharArray();
    flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
    for (String bad :
        List.of(
            new String(flipped),
            cursor.substring(1),
            cursor + "A",
            "garbage",
            "%00",
            "!!!!",
            "+" + cursor.substring(1),
            "A".repeat(70),
            "A".repeat(3000))) {
      JsonObject p =
          assertProblem(u.list("limit=1&cursor=" + TaskClient.enc(bad)), 400, "invalid_cursor");
      assertEquals("cursor", p.getJsonArray("errors").getJsonObject(0).getString("field"), bad);
    }
    assertProblem(u.list("limit=1&cursor="), 400, "validation_failed");
  }

  private static List<String> ids(List<JsonObject> items) {
    return items.stream().map(i -> i.getString("id")).toList();
  }

  private static Set<String> idSet(List<JsonObject> items) {
    return items.stream().map(i -> i.getString("id")).collect(Collectors.toSet());
  }
}
