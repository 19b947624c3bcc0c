package dev.bulwark.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The hand-written writer against a JSON parser: every string survives the round trip. */
class TaskJsonTest {
  private static final OffsetDateTime CREATED =
      OffsetDateTime.of(2026, 1, 31, 9, 0, 0, 123_456_000, ZoneOffset.UTC);

  private static Task task(String title, String notes) {
    return new Task(
        UUID.randomUUID(),
        title,
        notes,
        "todo",
        "high",
        OffsetDateTime.of(2030, 1, 1, 9, 0, 0, 0, ZoneOffset.ofHours(2)),
        CREATED,
        CREATED.plusSeconds(5),
        7,
        false,
        null,
        null);
  }

  @Test
  void everyKindOfCharacterRoundTripsThroughAJsonParser() throws Exception {
    List<String> titles =
        List.of(
            "plain",
            "quote \" backslash \\ slash /",
            "controls \b\t\n\f\r \u0000 \u0001 \u001f \u007f",
            "Latin-1 é ß, Greek Ω, CJK 漢字, RTL שלום",
            "emoji 😀 and a flag 🇫🇷",
            "\u2028 line and paragraph \u2029 separators",
            "");
    for (String title : titles) {
      Task t = task(title, title + " (notes)");
      String json = TaskJson.task(t).toString(StandardCharsets.UTF_8);
      // a strict parser, not the one that wrote it
      Map<?, ?> parsed = new ObjectMapper().readValue(json, Map.class);
      assertEquals(title, parsed.get("title"), json);
      assertEquals(title + " (notes)", parsed.get("notes"));
      assertEquals(t.id().toString(), parsed.get("id"));
      assertEquals("todo", parsed.get("status"));
      assertEquals("high", parsed.get("priority"));
      assertEquals("2030-01-01T07:00:00.000000Z", parsed.get("due_at"), "UTC, microseconds");
      assertEquals("2026-01-31T09:00:00.123456Z", parsed.get("created_at"));
      assertEquals("2026-01-31T09:00:05.123456Z", parsed.get("updated_at"));
      assertEquals(7, parsed.get("version"));
      assertEquals(List.of(), parsed.get("attachments"), "none stored: an empty array");
      assertTrue(parsed.containsKey("location"), json);
      assertNull(parsed.get("location"), "no location: null");
    }
  }

  @Test
  void shortEscapesForCommonControlsAndUnicodeEscapesForTheRest() {
    String json = TaskJson.task(task("a\"b\\c\nd\u0001", null)).toString(StandardCharsets.UTF_8);
    assertTrue(json.contains("\"title\":\"a\\\"b\\\\c\\nd\\u0001\""), json);
    assertTrue(json.contains("\"notes\":null"), json);
  }

  @Test
  void nullsTombstonesAndPagesHaveTheirShapes() {
    Task bare =
        new Task(
            UUID.randomUUID(),
            "t",
            null,
            "done",
            "low",
            null,
            CREATED,
            CREATED,
            123,
            false,
            "[{\"id\":\"a\",\"filename\":\"été.jpg\"}]",
            new Location(-33.8688, 151.2093));
    JsonObject one = new JsonObject(TaskJson.task(bare));
    assertNull(one.getString("notes"));
    assertNull(one.getString("due_at"));
    assertTrue(one.containsKey("due_at"));
    assertEquals(123, one.getInteger("version"));
    assertEquals("été.jpg", one.getJsonArray("attachments").getJsonObject(0).getString("filename"));
    assertEquals(
        new JsonObject().put("lat", -33.8688).put("lon", 151.2093), one.getJsonObject("location"));

    Task gone =
        new Task(bare.id(), null, null, null, null, null, null, CREATED, 124, true, null, null);
    assertEquals(
        new JsonObject()
            .put("id", bare.id().toString())
            .put("deleted", true)
            .put("updated_at", "2026-01-31T09:00:00.123456Z"),
        new JsonObject(TaskJson.task(gone)));

    List<Task> items = new ArrayList<>();
    for (int i = 0; i < 300; i++) { // past the initial array: it grows
      items.add(task("task " + i + " " + "x".repeat(100), "n".repeat(i)));
    }
    items.add(gone);
    JsonObject page = new JsonObject(TaskJson.page(items, "cursor-abc"));
    JsonArray got = page.getJsonArray("items");
    assertEquals(301, got.size());
    assertEquals("task 299 " + "x".repeat(100), got.getJsonObject(299).getString("title"));
    assertEquals(true, got.getJsonObject(300).getBoolean("deleted"));
    assertEquals("cursor-abc", page.getString("next_cursor"));

    JsonObject empty = new JsonObject(TaskJson.page(List.of(), null));
    assertEquals(0, empty.getJsonArray("items").size());
    assertTrue(empty.containsKey("next_cursor"));
    assertNull(empty.getString("next_cursor"));
  }
}
