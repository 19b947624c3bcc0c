package dev.bulwark.tasks;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Create, read, merge-patch and soft-delete one user's tasks; ETags and If-Match. */
@BulwarkTest
class TaskCrudTest {
  private static final String TIMESTAMP = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z";
  @BulwarkTest.Server private static TestServer server;
  private static TaskClient alice;

  @BeforeAll
  static void start() {
    alice = TaskClient.signup(server);
  }

  @Test
  void createAnswers201WithLocationETagAndTheWholeTask() {
    HttpResponse<Buffer> r =
        alice.create(
            new JsonObject()
                .put("title", "  Buy milk  ")
                .put("notes", "2 litres")
                .put("status", "in_progress")
                .put("priority", "high")
                .put("due_at", "2026-02-01T09:30:00+02:00"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals("application/json", r.getHeader("Content-Type"));
    JsonObject t = r.bodyAsJsonObject();
    assertEquals(
        Set.of(
            "id",
            "title",
            "notes",
            "status",
            "priority",
            "due_at",
            "created_at",
            "updated_at",
            "version",
            "attachments",
            "location"),
        t.fieldNames());
    String id = t.getString("id");
    assertTrue(id.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), id);
    assertEquals("/api/v1/tasks/" + id, r.getHeader("Location"));
    assertEquals("\"1\"", r.getHeader("ETag"));
    assertEquals("Buy milk", t.getString("title"), "title is stored stripped");
    assertEquals("2 litres", t.getString("notes"));
    assertEquals("in_progress", t.getString("status"));
    assertEquals("high", t.getString("priority"));
    assertEquals("2026-02-01T07:30:00.000000Z", t.getString("due_at"), "normalised to UTC");
    assertEquals(1, t.getInteger("version"));
    assertTrue(t.getString("created_at").matches(TIMESTAMP), t.getString("created_at"));
    assertEquals(t.getString("created_at"), t.getString("updated_at"));
    Instant created = Instant.parse(t.getString("created_at"));
    assertTrue(
        Math.abs(created.toEpochMilli() - System.currentTimeMillis()) < 60_000,
        "created_at is now, in UTC");
  }

  @Test
  void createAppliesDefaults() {
    JsonObject t = alice.created("Defaults");
    assertEquals("todo", t.getString("status"));
    assertEquals("normal", t.getString("priority"));
    assertTrue(t.containsKey("notes") && t.getValue("notes") == null);
    assertTrue(t.containsKey("due_at") && t.getValue("due_at") == null);
  }

  @Test
  void getAnswersTheTaskWithItsETag() {
    JsonObject t = alice.created("Read me");
    HttpResponse<Buffer> r = alice.get(t.getString("id"));
    assertEquals(200, r.statusCode());
    assertEquals("\"1\"", r.getHeader("ETag"));
    assertEquals(t, r.bodyAsJsonObject());
  }

  @Test
  void getWithCurrentIfNoneMatchIs304() {
    JsonObject t = alice.created("Cached");
    HttpResponse<Buffer> same =
        server.send(
            alice
                .request(HttpMethod.GET, TaskClient.BASE + "/" + t.getString("id"))
                .putHeader("If-None-Match", "\"1\""));
    assertEquals(304, same.statusCode());
    assertEquals("\"1\"", same.getHeader("ETag"));
    assertNull(same.body());
    HttpResponse<Buffer> stale =
        server.send(
            alice
                .request(HttpMethod.GET, TaskClient.BASE + "/" + t.getString("id"))
                .putHeader("If-None-Match", "\"7\""));
    assertEquals(200, stale.statusCode());
  }

  @Test
  void mergePatchChangesOnlyThePresentFieldsAndBumpsTheVersion() {
    JsonObject t =
        alice.created(
            new JsonObject().put("title", "Patch me").put("notes", "keep").put("priority", "low"));
    HttpResponse<Buffer> r =
        alice.patch(t.getString("id"), new JsonObject().put("status", "done"), null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("\"2\"", r.getHeader("ETag"));
    JsonObject p = r.bodyAsJsonObject();
    assertEquals("done", p.getString("status"));
    assertEquals("Patch me", p.getString("title"));
    assertEquals("keep", p.getString("notes"));
    assertEquals("low", p.getString("priority"));
    assertEquals(2, p.getInteger("version"));
    assertEquals(t.getString("created_at"), p.getString("created_at"));
    assertTrue(
        p.getString("updated_at").compareTo(t.getString("updated_at")) > 0,
        "updated_at moves forward");
    assertEquals(p, alice.get(t.getString("id")).bodyAsJsonObject());
  }

  @Test
  void mergePatchNullClearsNullableFields() {
    JsonObject t =
        alice.created(
            new JsonObject()
                .put("title", "Clear")
                .put("notes", "n")
                .put("due_at", "2026-03-01T00:00:00Z"));
    JsonObject p =
        alice
            .patch(t.getString("id"), new JsonObject().putNull("notes").putNull("due_at"), null)
            .bodyAsJsonObject();
    assertNull(p.getValue("notes"));
    assertNull(p.getValue("due_at"));
    assertEquals(2, p.getInteger("version"));
  }

  @Test
  void patchThatChangesNothingKeepsTheVersion() {
    JsonObject t = alice.created(new JsonObject().put("title", "Same").put("status", "todo"));
    String id = t.getString("id");
    HttpResponse<Buffer> same =
        alice.patch(id, new JsonObject().put("title", "Same").put("status", "todo"), null);
    assertEquals(200, same.statusCode());
    assertEquals(1, same.bodyAsJsonObject().getInteger("version"));
    assertEquals("\"1\"", same.getHeader("ETag"));
    HttpResponse<Buffer> empty = alice.patch(id, new JsonObject(), null);
    assertEquals(200, empty.statusCode());
    assertEquals(t, empty.bodyAsJsonObject());
  }

  @Test
  void patchWithPlainJsonContentTypeIsAcceptedToo() {
    JsonObject t = alice.created("Plain json");
    HttpResponse<Buffer> r =
        server.send(
            alice.request(HttpMethod.PATCH, TaskClient.BASE + "/" + t.getString("id")),
            new JsonObject().put("priority", "high"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("high", r.bodyAsJsonObject().getString("priority"));
  }

  @Test
  void ifMatchWithTheCurrentVersionApplies() {
    JsonObject t = alice.created("Guarded");
    String id = t.getString("id");
    HttpResponse<Buffer> r = alice.patch(id, new JsonObject().put("title", "Guarded 2"), "\"1\"");
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals("\"2\"", r.getHeader("ETag"));
    // a weak tag, a list and * are accepted too
    assertEquals(
        200, alice.patch(id, new JsonObject().put("title", "Guarded 3"), "W/\"2\"").statusCode());
    assertEquals(
        200,
        alice.patch(id, new JsonObject().put("title", "Guarded 4"), "\"1\", \"3\"").statusCode());
    HttpResponse<Buffer> any = alice.patch(id, new JsonObject().put("title", "Guarded 5"), "*");
    assertEquals(200, any.statusCode());
    assertEquals(5, any.bodyAsJsonObject().getInteger("version"));
  }

  @Test
  void staleIfMatchIs412WithTheCurrentVersionAndChangesNothing() {
    JsonObject t = alice.created("Contended");
    String id = t.getString("id");
    assertEquals(
        200, alice.patch(id, new JsonObject().put("title", "Phone edit"), "\"1\"").statusCode());
    HttpResponse<Buffer> r = alice.patch(id, new JsonObject().put("title", "Tablet edit"), "\"1\"");
    JsonObject problem = assertProblem(r, 412, "version_conflict");
    assertEquals(2, problem.getInteger("current_version"));
    JsonObject now = alice.get(id).bodyAsJsonObject();
    assertEquals("Phone edit", now.getString("title"));
    assertEquals(2, now.getInteger("version"));
    // an entity tag that is not a version never matches
    assertProblem(
        alice.patch(id, new JsonObject().put("title", "x"), "\"abc\""), 412, "version_conflict");
  }

  @Test
  void withoutIfMatchTheLastWriteWins() {
    JsonObject t = alice.created("Unguarded");
    String id = t.getString("id");
    alice.patch(id, new JsonObject().put("title", "A"), null);
    HttpResponse<Buffer> r = alice.patch(id, new JsonObject().put("title", "B"), null);
    assertEquals(200, r.statusCode());
    assertEquals(3, r.bodyAsJsonObject().getInteger("version"));
  }

  @Test
  void deleteIsSoftAndThenEverythingIs404() {
    JsonObject t = alice.created("Doomed");
    String id = t.getString("id");
    HttpResponse<Buffer> r = alice.delete(id, null);
    assertEquals(204, r.statusCode());
    assertNull(r.body());
    assertProblem(alice.get(id), 404, "not_found");
    assertProblem(alice.patch(id, new JsonObject().put("title", "back"), null), 404, "not_found");
    assertFalse(
        alice.all("", 100).stream().anyMatch(i -> i.getString("id").equals(id)), "not listed");
  }

  /** A mobile client retries a DELETE whose response it lost: the task is gone, as it asked. */
  @Test
  void deletingAnAlreadyDeletedTaskAgainIs204AndChangesNothing() {
    JsonObject t = alice.created("Deleted twice");
    String id = t.getString("id");
    assertEquals(204, alice.delete(id, "\"1\"").statusCode());
    JsonObject tombstone = tombstone(id);
    HttpResponse<Buffer> again = alice.delete(id, null);
    assertEquals(204, again.statusCode(), again::bodyAsString);
    assertNull(again.body());
    assertEquals(
        204, alice.delete(id, "\"1\"").statusCode(), "the retry repeats the first If-Match");
    assertEquals(tombstone, tombstone(id), "the tombstone's version and time did not move");
    assertProblem(alice.get(id), 404, "not_found");
  }

  private static JsonObject tombstone(String id) {
    return alice.all("updated_since=" + TaskClient.SINCE_START, 100).stream()
        .filter(i -> i.getString("id").equals(id))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void deleteClearsTheContentAtOnceAndKeepsOnlyTheTombstone() throws Exception {
    JsonObject t =
        alice.created(
            new JsonObject()
                .put("title", "Private title")
                .put("notes", "private notes")
                .put("due_at", "2030-01-01T00:00:00Z"));
    assertEquals(204, alice.delete(t.getString("id"), null).statusCode());
    try (java.sql.Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        java.sql.PreparedStatement s =
            c.prepareStatement("SELECT title, notes, due_at, deleted_at FROM tasks WHERE id = ?")) {
      s.setObject(1, java.util.UUID.fromString(t.getString("id")));
      try (java.sql.ResultSet rs = s.executeQuery()) {
        assertTrue(rs.next(), "the tombstone row stays for delta sync");
        assertEquals("", rs.getString("title"));
        assertNull(rs.getString("notes"));
        assertNull(rs.getObject("due_at"));
        assertNotNull(rs.getObject("deleted_at"));
      }
    }
  }

  @Test
  void deleteHonoursIfMatch() {
    JsonObject t = alice.created("Delete guarded");
    String id = t.getString("id");
    alice.patch(id, new JsonObject().put("notes", "edited elsewhere"), null);
    JsonObject problem = assertProblem(alice.delete(id, "\"1\""), 412, "version_conflict");
    assertEquals(2, problem.getInteger("current_version"));
    assertEquals(200, alice.get(id).statusCode(), "still there");
    assertEquals(204, alice.delete(id, "\"2\"").statusCode());
  }

  @Test
  void unknownIdIs404() {
    assertProblem(alice.get("00000000-0000-4000-8000-000000000000"), 404, "not_found");
    assertProblem(alice.delete("00000000-0000-4000-8000-000000000000", null), 404, "not_found");
    assertProblem(
        alice.patch(
            "00000000-0000-4000-8000-000000000000", new JsonObject().put("title", "x"), "\"1\""),
        404,
        "not_found");
  }

  @Test
  void unicodeTitlesCountCodePointsAndRoundTrip() {
    String title = "😀".repeat(200);
    JsonObject t = alice.created(title);
    assertEquals(title, t.getString("title"));
    assertEquals(title, alice.get(t.getString("id")).bodyAsJsonObject().getString("title"));
    String escapes = "quote \" backslash \\ newline \n tab \t control \u0001 <script>";
    JsonObject e = alice.created(new JsonObject().put("title", "escapes").put("notes", escapes));
    assertEquals(escapes, alice.get(e.getString("id")).bodyAsJsonObject().getString("notes"));
  }

  @Test
  void everyChangeGetsANewVersionAndETag() {
    JsonObject t = alice.created("Versions");
    String id = t.getString("id");
    String etag = "\"1\"";
    for (int i = 2; i <= 5; i++) {
      HttpResponse<Buffer> r = alice.patch(id, new JsonObject().put("notes", "n" + i), etag);
      assertEquals(200, r.statusCode());
      assertNotEquals(etag, r.getHeader("ETag"));
      etag = r.getHeader("ETag");
      assertEquals("\"" + i + "\"", etag);
    }
  }
}
