package dev.bulwark.tasks;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.TasksConfig;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Delta sync: every change since a moment, in (updated_at, id) order, deletions as tombstones; and
 * the purge.
 */
@BulwarkTest
class TaskSyncTest {
  @BulwarkTest.Server private static TestServer server;

  @Test
  void anOfflineClientCatchesUpOnCreatesUpdatesAndDeletes() {
    TaskClient u = TaskClient.signup(server);
    String kept = u.created("kept").getString("id");
    String edited = u.created("edited").getString("id");
    String removed = u.created("removed").getString("id");
    List<JsonObject> first = u.all("updated_since=" + TaskClient.SINCE_START, 100);
    assertEquals(List.of(kept, edited, removed), ids(first));
    String lastSeen = first.get(first.size() - 1).getString("updated_at");

    // offline: the server moves on
    u.patch(edited, new JsonObject().put("title", "edited twice"), null);
    u.delete(removed, null);
    String added = u.created("added").getString("id");

    List<JsonObject> delta = u.all("updated_since=" + lastSeen, 100);
    Map<String, JsonObject> byId =
        delta.stream().collect(Collectors.toMap(t -> t.getString("id"), t -> t));
    // updated_since is inclusive, so the last task seen comes again (harmless: clients upsert by id
    // and version)
    assertEquals(Set.of(edited, removed, added), byId.keySet());
    assertEquals("edited twice", byId.get(edited).getString("title"));
    assertEquals(2, byId.get(edited).getInteger("version"));
    JsonObject tombstone = byId.get(removed);
    assertEquals(Set.of("id", "deleted", "updated_at"), tombstone.fieldNames());
    assertEquals(Boolean.TRUE, tombstone.getBoolean("deleted"));
    assertTrue(tombstone.getString("updated_at").compareTo(lastSeen) >= 0);
    assertFalse(byId.get(added).containsKey("deleted"), "live tasks have the task shape");
    assertFalse(byId.containsKey(kept), "unchanged tasks are not sent again");
    List<String> stamps = delta.stream().map(t -> t.getString("updated_at")).toList();
    assertEquals(stamps.stream().sorted().toList(), stamps, "in updated_at order");
  }

  @Test
  void syncPagesWithTheSameCursorRulesAndEndsWithANullCursor() {
    TaskClient u = TaskClient.signup(server);
    for (int i = 0; i < 9; i++) {
      String id = u.created("s" + i).getString("id");
      if (i % 3 == 0) {
        u.delete(id, null);
      }
    }
    List<JsonObject> whole = u.all("updated_since=" + TaskClient.SINCE_START, 100);
    assertEquals(9, whole.size());
    assertEquals(3, whole.stream().filter(t -> t.containsKey("deleted")).count());
    assertEquals(ids(whole), ids(u.all("updated_since=" + TaskClient.SINCE_START, 2)));
    String cursor =
        u.list("updated_since=" + TaskClient.SINCE_START + "&limit=2")
            .bodyAsJsonObject()
            .getString("next_cursor");
    assertProblem(
        u.list("updated_since=" + Instant.now().minusSeconds(60) + "&limit=2&cursor=" + cursor),
        400,
        "invalid_cursor");
    assertProblem(u.list("limit=2&cursor=" + cursor), 400, "invalid_cursor");
    JsonObject last = u.list("updated_since=" + Instant.now().plusSeconds(60)).bodyAsJsonObject();
    assertEquals(0, last.getJsonArray("items").size());
    assertNull(last.getValue("next_cursor"));
  }

  @Test
  void syncCannotBeCombinedWithFiltersOrSort() {
    TaskClient u = TaskClient.signup(server);
    for (String extra :
        List.of(
            "status=todo",
            "priority=low",
            "q=x",
            "sort=created_at",
            "order=asc",
            "due_before=2026-01-01T00:00:00Z",
            "due_after=2026-01-01T00:00:00Z")) {
      JsonObject p =
          assertProblem(
              u.list("updated_since=" + TaskClient.SINCE_START + "&" + extra),
              400,
              "validation_failed");
      JsonObject error = p.getJsonArray("errors").getJsonObject(0);
      assertEquals(extra.substring(0, extra.indexOf('=')), error.getString("field"));
      assertEquals("not_combinable", error.getString("code"));
    }
  }

  @Test
  void syncFromBeforeTheTombstoneRetentionIs410() {
    TaskClient u = TaskClient.signup(server);
    JsonObject p =
        assertProblem(
            u.list("updated_since=" + Instant.now().minus(Duration.ofDays(31))),
            410,
            "sync_window_expired");
    assertTrue(p.getString("detail").contains("30 day"));
    assertEquals(
        200, u.list("updated_since=" + Instant.now().minus(Duration.ofDays(29))).statusCode());
  }

  @Test
  void thePurgeRemovesOnlyTombstonesPastRetentionAndExpiredIdempotencyRecords() throws Exception {
    TaskClient u = TaskClient.signup(server);
    String old = u.created("old tombstone").getString("id");
    String recent = u.created("recent tombstone").getString("id");
    String live = u.created("live").getString("id");
    u.delete(old, null);
    u.delete(recent, null);
    String key = "purge-" + UUID.randomUUID();
    assertEquals(
        201,
        u.server
            .send(
                u.request(io.vertx.core.http.HttpMethod.POST, TaskClient.BASE)
                    .putHeader("Idempotency-Key", key),
                new JsonObject().put("title", "keyed"))
            .statusCode());
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl())) {
      exec(
          c,
          "UPDATE tasks SET deleted_at = now() - interval '31 days' WHERE id = ?",
          UUID.fromString(old));
      exec(
          c,
          "UPDATE task_idempotency_keys SET created_at = now() - interval '25 hours' WHERE idempotency_key = ?",
          key);

      TasksConfig config = server.app().config().tasks();
      TombstonePurger purger =
          new TombstonePurger(
              server.vertx(),
              server.app().pg(),
              new TasksConfig(
                  config.quotaPerUser(),
                  Duration.ofDays(30),
                  Duration.ofHours(24),
                  config.purgeInterval(),
                  1));
      TombstonePurger.Purged purged = Await.result(purger.runOnce());
      assertTrue(purged.tombstones() >= 1 && purged.idempotencyRecords() >= 1, purged.toString());

      assertEquals(0, count(c, "SELECT count(*) FROM tasks WHERE id = ?", UUID.fromString(old)));
      assertEquals(1, count(c, "SELECT count(*) FROM tasks WHERE id = ?", UUID.fromString(recent)));
      assertEquals(1, count(c, "SELECT count(*) FROM tasks WHERE id = ?", UUID.fromString(live)));
      assertEquals(
          0, count(c, "SELECT count(*) FROM task_idempotency_keys WHERE idempotency_key = ?", key));
    }
    Set<String> synced = Set.copyOf(ids(u.all("updated_since=" + TaskClient.SINCE_START, 100)));
    assertTrue(synced.contains(recent) && !synced.contains(old));
  }

  private static void exec(Connection c, String sql, Object arg) throws Exception {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, arg);
      assertEquals(1, s.executeUpdate(), sql);
    }
  }

  private static long count(Connection c, String sql, Object arg) throws Exception {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, arg);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static List<String> ids(List<JsonObject> items) {
    return items.stream().map(i -> i.getString("id")).toList();
  }
}
