package dev.bulwark.tasks;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Task locations: create, patch and clear; the JSON shape; near lists ordered by distance across
 * pages, bounded by the radius and by the owner; every bad location, near and radius a client can
 * send is a 400 with a stable code.
 */
@BulwarkTest
class TaskLocationTest {
  @BulwarkTest.Server private static TestServer server;

  private static final String BERLIN = "near=52.52,13.405";

  private static JsonObject at(double lat, double lon) {
    return new JsonObject().put("lat", lat).put("lon", lon);
  }

  private static JsonObject task(String title, JsonObject location) {
    return new JsonObject().put("title", title).put("location", location);
  }

  /** Asserts a 400 validation_failed whose errors are exactly {@code fieldCodes} (field → code). */
  private static void assertFields(HttpResponse<Buffer> r, Map<String, String> fieldCodes) {
    JsonObject p = assertProblem(r, 400, "validation_failed");
    Map<String, String> got =
        p.getJsonArray("errors").stream()
            .map(e -> (JsonObject) e)
            .collect(
                Collectors.toMap(
                    e -> e.getString("field"), e -> e.getString("code"), (a, b) -> a + "," + b));
    assertEquals(fieldCodes, got, p.encode());
  }

  private static List<String> titles(List<JsonObject> items) {
    return items.stream().map(t -> t.getString("title")).toList();
  }

  @Test
  void createPatchAndClearALocation() {
    TaskClient u = TaskClient.signup(server);
    JsonObject t = u.created(task("tea", at(-33.8688, 151.2093)));
    assertEquals(at(-33.8688, 151.2093), t.getJsonObject("location"));
    String id = t.getString("id");
    assertEquals(
        at(-33.8688, 151.2093), u.get(id).bodyAsJsonObject().getJsonObject("location"), "stored");

    HttpResponse<Buffer> moved = u.patch(id, new JsonObject().put("location", at(90, -180)), null);
    assertEquals(200, moved.statusCode(), moved::bodyAsString);
    assertEquals(at(90, -180), moved.bodyAsJsonObject().getJsonObject("location"));
    assertEquals(2, moved.bodyAsJsonObject().getInteger("version"));
    HttpResponse<Buffer> same = u.patch(id, new JsonObject().put("location", at(90, -180)), null);
    assertEquals(200, same.statusCode(), same::bodyAsString);
    assertEquals(2, same.bodyAsJsonObject().getInteger("version"), "no change, no new version");

    HttpResponse<Buffer> title = u.patch(id, new JsonObject().put("title", "t2"), null);
    assertEquals(at(90, -180), title.bodyAsJsonObject().getJsonObject("location"), "kept");

    HttpResponse<Buffer> cleared = u.patch(id, new JsonObject().putNull("location"), null);
    assertEquals(200, cleared.statusCode(), cleared::bodyAsString);
    JsonObject c = cleared.bodyAsJsonObject();
    assertTrue(c.containsKey("location"));
    assertNull(c.getValue("location"), "null clears it");
    assertNull(u.get(id).bodyAsJsonObject().getValue("location"));
    assertEquals(
        0,
        u.list(BERLIN + "&radius_m=20000000").bodyAsJsonObject().getJsonArray("items").size(),
        "a task without a location is in no near list");

    JsonObject none = u.created("plain");
    assertTrue(none.containsKey("location"));
    assertNull(none.getValue("location"), "no location: null, not absent");
  }

  @Test
  void nearListsAreOrderedByDistanceAcrossPagesAndBoundedByTheRadius() {
    TaskClient u = TaskClient.signup(server);
    // north of Berlin's centre, 0.01° of latitude ≈ 1.11 km; created out of order, two ties
    int[] steps = {3, 1, 5, 2, 2, 4, 0, 7};
    for (int s : steps) {
      u.created(task("k" + s, at(52.52 + s * 0.01, 13.405)));
    }
    u.created(task("paris", at(48.8566, 2.3522)));
    u.created("nowhere");
    TaskClient other = TaskClient.signup(server);
    other.created(task("theirs", at(52.52, 13.405)));

    List<JsonObject> near = u.all(BERLIN + "&radius_m=7000", 2);
    assertEquals(List.of("k0", "k1", "k2", "k2", "k3", "k4", "k5"), titles(near));
    assertTrue(
        near.get(2).getString("id").compareTo(near.get(3).getString("id")) < 0, "ties in id order");
    assertEquals(
        List.of("k0", "k1", "k2", "k2", "k3", "k4", "k5", "k7", "paris"),
        titles(u.all(BERLIN + "&radius_m=20000000", 3)),
        "the far task comes last; the one without a location and other users' never");
    assertEquals(List.of("k0"), titles(u.all(BERLIN + "&radius_m=1", 5)), "exactly at the point");
    assertEquals(
        List.of("theirs"), titles(other.all(BERLIN + "&radius_m=20000000", 5)), "only their own");

    JsonObject first = u.list(BERLIN + "&radius_m=7000&limit=3").bodyAsJsonObject();
    assertEquals(
        List.of("k0", "k1", "k2"),
        first.getJsonArray("items").stream()
            .map(t -> ((JsonObject) t).getString("title"))
            .toList());
    assertNotNull(first.getString("next_cursor"));
  }

  @Test
  void aDeletedTaskLeavesNearListsAndItsTombstoneKeepsNoLocation() throws SQLException {
    TaskClient u = TaskClient.signup(server);
    String id = u.created(task("gone", at(1, 1))).getString("id");
    assertEquals(204, u.delete(id, null).statusCode());
    assertEquals(
        0, u.list("near=1,1&radius_m=1000").bodyAsJsonObject().getJsonArray("items").size());
    TestServices services = TestServices.get();
    try (Connection db = services.jdbc(services.databaseUrl());
        PreparedStatement s = db.prepareStatement("SELECT lat, lon FROM tasks WHERE id = ?")) {
      s.setObject(1, UUID.fromString(id));
      try (ResultSet rs = s.executeQuery()) {
        assertTrue(rs.next(), "the tombstone is kept for delta sync");
        assertNull(rs.getObject(1), "scrubbed like the title and notes");
        assertNull(rs.getObject(2));
      }
    }
  }

  @Test
  void cursorsAreBoundToTheirQuery() {
    TaskClient u = TaskClient.signup(server);
    for (int i = 0; i < 4; i++) {
      u.created(task("n" + i, at(10 + i * 0.001, 10)));
    }
    String nearCursor =
        u.list("near=10,10&radius_m=5000&limit=2").bodyAsJsonObject().getString("next_cursor");
    String plainCursor = u.list("limit=2").bodyAsJsonObject().getString("next_cursor");
    assertNotNull(nearCursor);
    assertNotNull(plainCursor);
    assertEquals(200, u.list("near=10,10&radius_m=5000&limit=2&cursor=" + nearCursor).statusCode());
    for (String query :
        List.of(
            "near=10,10&radius_m=5000&cursor=" + plainCursor,
            "near=10,10&radius_m=5001&cursor=" + nearCursor,
            "near=10,10.001&radius_m=5000&cursor=" + nearCursor,
            "near=10.0001,10&radius_m=5000&cursor=" + nearCursor,
            "cursor=" + nearCursor,
            "sort=due_at&cursor=" + nearCursor,
            "updated_since=" + TaskClient.SINCE_START + "&cursor=" + nearCursor)) {
      assertProblem(u.list(query), 400, "invalid_cursor");
    }
    TaskClient other = TaskClient.signup(server);
    assertProblem(
        other.list("near=10,10&radius_m=5000&cursor=" + nearCursor), 400, "invalid_cursor");
  }

  @Test
  void badLocationsAre400() {
    TaskClient u = TaskClient.signup(server);
    assertFields(u.create(task("t", at(91, 0))), Map.of("location.lat", "out_of_range"));
    assertFields(u.create(task("t", at(-90.0001, 0))), Map.of("location.lat", "out_of_range"));
    assertFields(u.create(task("t", at(0, -181))), Map.of("location.lon", "out_of_range"));
    assertFields(u.create(task("t", at(0, 180.5))), Map.of("location.lon", "out_of_range"));
    assertFields(
        u.create(task("t", new JsonObject().put("lat", "1").put("lon", 2))),
        Map.of("location.lat", "invalid_type"));
    assertFields(
        u.create(task("t", new JsonObject().put("lat", 1))), Map.of("location.lon", "required"));
    assertFields(
        u.create(task("t", new JsonObject().put("lat", 1).putNull("lon"))),
        Map.of("location.lon", "required"));
    assertFields(
        u.create(task("t", at(1, 2).put("alt", 3))), Map.of("location.alt", "unknown_field"));
    assertFields(
        u.create(new JsonObject().put("title", "t").put("location", "52.5,13.4")),
        Map.of("location", "invalid_type"));
    assertFields(
        u.create(new JsonObject().put("title", "t").put("location", new JsonArray().add(1).add(2))),
        Map.of("location", "invalid_type"));
    String id = u.created("p").getString("id");
    assertFields(
        u.patch(id, new JsonObject().put("location", at(0, 1e300)), null),
        Map.of("location.lon", "out_of_range"));
    for (String raw :
        List.of(
            "{\"title\":\"t\",\"location\":{\"lat\":NaN,\"lon\":0}}",
            "{\"title\":\"t\",\"location\":{\"lat\":1e999,\"lon\":0}}",
            "{\"title\":\"t\",\"location\":{\"lat\":Infinity,\"lon\":0}}")) {
      HttpResponse<Buffer> r =
          server.send(
              u.request(HttpMethod.POST, TaskClient.BASE)
                  .putHeader("Content-Type", "application/json"),
              Buffer.buffer(raw));
      assertEquals(400, r.statusCode(), raw + " -> " + r.bodyAsString());
      assertEquals("application/problem+json", r.getHeader("Content-Type"));
    }
    assertEquals(
        0, u.list("near=0,0&radius_m=20000000").bodyAsJsonObject().getJsonArray("items").size());
  }

  @Test
  void badNearListsAre400() {
    TaskClient u = TaskClient.signup(server);
    Map<String, Map<String, String>> cases = new java.util.LinkedHashMap<>();
    cases.put("near=91,0&radius_m=10", Map.of("near", "out_of_range"));
    cases.put("near=0,-181&radius_m=10", Map.of("near", "out_of_range"));
    cases.put("near=-90.5,0&radius_m=10", Map.of("near", "out_of_range"));
    cases.put("near=NaN,0&radius_m=10", Map.of("near", "invalid_format"));
    cases.put("near=0,Infinity&radius_m=10", Map.of("near", "invalid_format"));
    cases.put("near=1e1,0&radius_m=10", Map.of("near", "invalid_format"));
    cases.put("near=abc&radius_m=10", Map.of("near", "invalid_format"));
    cases.put("near=1,2,3&radius_m=10", Map.of("near", "invalid_format"));
    cases.put("near=1&radius_m=10", Map.of("near", "invalid_format"));
    cases.put("near=1,&radius_m=10", Map.of("near", "invalid_format"));
    cases.put("near=%201,2&radius_m=10", Map.of("near", "invalid_format"));
    cases.put("near=&radius_m=10", Map.of("near", "empty"));
    cases.put("near=1,2", Map.of("radius_m", "required"));
    cases.put("radius_m=10", Map.of("near", "required"));
    cases.put("near=1,2&radius_m=0", Map.of("radius_m", "out_of_range"));
    cases.put("near=1,2&radius_m=-5", Map.of("radius_m", "out_of_range"));
    cases.put("near=1,2&radius_m=20000001", Map.of("radius_m", "out_of_range"));
    cases.put("near=1,2&radius_m=99999999999999999999", Map.of("radius_m", "out_of_range"));
    cases.put("near=1,2&radius_m=ten", Map.of("radius_m", "invalid_type"));
    cases.put("near=1,2&radius_m=1.5", Map.of("radius_m", "invalid_type"));
    cases.put("near=1,2&near=3,4&radius_m=10", Map.of("near", "repeated_parameter"));
    cases.put("near=1,2&radius_m=10&sort=due_at", Map.of("sort", "not_combinable"));
    cases.put("near=1,2&radius_m=10&status=done", Map.of("status", "not_combinable"));
    cases.put(
        "near=1,2&radius_m=10&updated_since=" + TaskClient.SINCE_START,
        Map.of("near", "not_combinable", "radius_m", "not_combinable"));
    for (var c : cases.entrySet()) {
      HttpResponse<Buffer> r = u.list(c.getKey());
      assertEquals(400, r.statusCode(), c.getKey() + " -> " + r.bodyAsString());
      assertFields(r, c.getValue());
    }
    List<String> ok = new ArrayList<>();
    for (String q : List.of("near=-90,-180&radius_m=1", "near=90.0,180.000&radius_m=20000000")) {
      ok.add(q + " " + u.list(q).statusCode());
    }
    assertEquals(
        List.of("near=-90,-180&radius_m=1 200", "near=90.0,180.000&radius_m=20000000 200"), ok);
  }
}
