package dev.bulwark.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.core.Failure;
import dev.bulwark.tasks.TaskListQuery.Position;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TaskCursorsTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";
  private static final UUID USER = UUID.randomUUID();
  private static final UUID ID = UUID.randomUUID();
  private static final OffsetDateTime KEY =
      OffsetDateTime.of(2026, 1, 31, 9, 0, 0, 123_456_000, ZoneOffset.UTC);

  private final TaskCursors cursors = new TaskCursors(SECRET);

  private static TaskListQuery query(TaskSort sort, boolean desc, String status, String q) {
    return new TaskListQuery(sort, desc, status, null, null, null, q, null, 20, null);
  }

  private static void assertInvalid(Runnable r) {
    Failure e = assertThrows(Failure.class, r::run);
    assertEquals(Failure.Kind.INVALID, e.kind());
    assertEquals("invalid_cursor", e.code());
    assertEquals("cursor", e.errors().get(0).field());
  }

  @Test
  void roundTripsThePosition() {
    TaskListQuery q = query(TaskSort.CREATED_AT, true, "todo", "milk");
    String c = cursors.encode(USER, q, new Position(KEY, ID));
    assertTrue(c.matches("[A-Za-z0-9_-]{70}"), c);
    assertEquals(new Position(KEY, ID), cursors.decode(c, USER, q));
    assertEquals(
        new Position(KEY, ID),
        new TaskCursors(SECRET).decode(c, USER, q),
        "any instance with the same secret");
  }

  @Test
  void anUndatedPositionRoundTripsOnlyForDueAt() {
    TaskListQuery due = query(TaskSort.DUE_AT, false, null, null);
    Position p = cursors.decode(cursors.encode(USER, due, new Position(null, ID)), USER, due);
    assertNull(p.key());
    assertEquals(ID, p.id());
  }

  private static TaskListQuery near(double lat, double lon, int radius) {
    return new TaskListQuery(
        TaskSort.DISTANCE,
        false,
        null,
        null,
        null,
        null,
        null,
        null,
        20,
        null,
        new TaskListQuery.Near(lat, lon, radius));
  }

  @Test
  void aNearPositionKeepsItsExactDistanceAndOnlyItsPointAndRadius() {
    TaskListQuery q = near(52.52, 13.405, 5000);
    double distance = 1234.567890123456789; // every bit of the double the keyset compares
    String c = cursors.encode(USER, q, new Position(null, ID, distance));
    assertEquals(new Position(null, ID, distance), cursors.decode(c, USER, q));
    assertInvalid(() -> cursors.decode(c, USER, near(52.52, 13.405, 5001)));
    assertInvalid(() -> cursors.decode(c, USER, near(52.52, 13.4051, 5000)));
    assertInvalid(() -> cursors.decode(c, USER, near(52.5201, 13.405, 5000)));
    assertInvalid(() -> cursors.decode(c, USER, query(TaskSort.CREATED_AT, false, null, null)));
    String plain =
        cursors.encode(USER, query(TaskSort.DUE_AT, false, null, null), new Position(null, ID));
    assertInvalid(() -> cursors.decode(plain, USER, q));
  }

  @Test
  void refusesAnotherQueryUserOrSecret() {
    TaskListQuery q = query(TaskSort.CREATED_AT, true, "todo", null);
    String c = cursors.encode(USER, q, new Position(KEY, ID));
    assertInvalid(() -> cursors.decode(c, UUID.randomUUID(), q));
    assertInvalid(() -> cursors.decode(c, USER, query(TaskSort.CREATED_AT, false, "todo", null)));
    assertInvalid(() -> cursors.decode(c, USER, query(TaskSort.UPDATED_AT, true, "todo", null)));
    assertInvalid(() -> cursors.decode(c, USER, query(TaskSort.CREATED_AT, true, "done", null)));
    assertInvalid(() -> cursors.decode(c, USER, query(TaskSort.CREATED_AT, true, "todo", "x")));
    assertInvalid(() -> new TaskCursors(SECRET + "x").decode(c, USER, q));
  }

  @Test
  void refusesEveryAlteredByteAndMalformedText() {
    TaskListQuery q = query(TaskSort.UPDATED_AT, false, null, null);
    String c = cursors.encode(USER, q, new Position(KEY, ID));
    byte[] raw = Base64.getUrlDecoder().decode(c);
    for (int i = 0; i < raw.length; i++) {
      byte[] altered = raw.clone();
      altered[i] ^= 0x01;
      String bad = Base64.getUrlEncoder().withoutPadding().encodeToString(altered);
      assertInvalid(() -> cursors.decode(bad, USER, q));
    }
    char last = c.charAt(c.length() - 1);
    String sameBytes = c.substring(0, c.length() - 1) + (char) (last + 1);
    assertInvalid(() -> cursors.decode(sameBytes, USER, q));
    for (String bad :
        new String[] {
          "", "x", c + "=", c.substring(2), "*".repeat(70), c.replace(c.charAt(5), '.')
        }) {
      assertInvalid(() -> cursors.decode(bad, USER, q));
    }
  }
}
