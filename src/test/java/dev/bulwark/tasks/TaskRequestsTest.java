package dev.bulwark.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.core.Failure;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Merge-patch parsing (present / null / absent), create defaults, and the rules they share. */
class TaskRequestsTest {
  @Test
  void absentMembersAreLeftAloneNullClearsPresentSets() {
    TaskPatch p =
        TaskRequests.patch(
            new JsonObject()
                .putNull("notes")
                .put("due_at", "2026-01-01T00:00:00Z")
                .put("title", "  New  "));
    assertTrue(p.hasTitle());
    assertEquals("New", p.title());
    assertTrue(p.hasNotes());
    assertNull(p.notes());
    assertTrue(p.hasDueAt());
    assertEquals(OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), p.dueAt());
    assertFalse(p.hasStatus());
    assertFalse(p.hasPriority());
    assertEquals(1 | 2 | 16, p.fieldMask());
    TaskPatch cleared = TaskRequests.patch(new JsonObject().putNull("due_at"));
    assertTrue(cleared.hasDueAt());
    assertNull(cleared.dueAt());
    assertTrue(TaskRequests.patch(new JsonObject()).isEmpty());
  }

  @Test
  void createAppliesDefaults() {
    NewTask t = TaskRequests.newTask(new JsonObject().put("title", "\u2003Tea\u2003"));
    assertEquals(new NewTask("Tea", null, "todo", "normal", null, null), t);
  }

  @Test
  void failuresNameEveryField() {
    Failure e =
        assertThrows(
            Failure.class,
            () ->
                TaskRequests.patch(
                    new JsonObject()
                        .putNull("title")
                        .putNull("status")
                        .putNull("priority")
                        .put("version", 3)
                        .put("owner", "x")
                        .put("x", 1)));
    assertEquals("validation_failed", e.code());
    assertEquals(
        List.of(
                "title:null_not_allowed",
                "status:null_not_allowed",
                "priority:null_not_allowed",
                "owner:read_only",
                "version:read_only",
                "x:unknown_field")
            .stream()
            .sorted()
            .toList(),
        e.errors().stream().map(f -> f.field() + ":" + f.code()).sorted().toList());
  }

  @Test
  void theCanonicalRequestHashIgnoresMemberOrder() {
    byte[] a = TaskRoutes.requestHash(new JsonObject().put("title", "x").put("status", "done"));
    byte[] b = TaskRoutes.requestHash(new JsonObject().put("status", "done").put("title", "x"));
    byte[] c = TaskRoutes.requestHash(new JsonObject().put("status", "done").put("title", "y"));
    assertEquals(java.util.HexFormat.of().formatHex(a), java.util.HexFormat.of().formatHex(b));
    assertFalse(java.util.Arrays.equals(a, c));
  }

  @Test
  void preconditionsParseTagsListsAndStar() {
    assertNull(VersionPrecondition.parse(List.of(), "If-Match"));
    assertTrue(VersionPrecondition.parse(List.of("*"), "If-Match").any());
    VersionPrecondition p =
        VersionPrecondition.parse(List.of("\"3\", W/\"5\"", "\"x\""), "If-Match");
    assertTrue(p.matches(3) && p.matches(5));
    assertFalse(p.matches(4));
    assertFalse(VersionPrecondition.parse(List.of("\"abc\""), "If-Match").matches(1));
    for (String bad : new String[] {"3", "\"3", "W/3", "\"3\",", "", "\"3\" \"4\""}) {
      assertThrows(Failure.class, () -> VersionPrecondition.parse(List.of(bad), "If-Match"), bad);
    }
  }
}
