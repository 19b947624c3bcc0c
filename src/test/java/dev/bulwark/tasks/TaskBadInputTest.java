package dev.bulwark.tasks;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input is a 4xx problem+json that names the field — never a 5xx, never a partial
 * write.
 */
@BulwarkTest
class TaskBadInputTest {
  @BulwarkTest.Server private static TestServer server;
  private static TaskClient u;
  private static String id;

  @BeforeAll
  static void start() {
    u = TaskClient.signup(server);
    id = u.created("target").getString("id");
  }

  /** Asserts a 400 validation_failed whose errors are exactly {@code fieldCodes} (field → code). */
  private static void assertFields(HttpResponse<Buffer> r, Map<String, String> fieldCodes) {
    JsonObject p = assertProblem(r, 400, "validation_failed");
    JsonArray errors = p.getJsonArray("errors");
    Map<String, String> got =
        errors.stream()
            .map(e -> (JsonObject) e)
            .collect(
                Collectors.toMap(
                    e -> e.getString("field"), e -> e.getString("code"), (a, b) -> a + "," + b));
    assertEquals(fieldCodes, got, p.encode());
    errors.forEach(e -> assertTrue(!((JsonObject) e).getString("message").isBlank()));
  }

  private static HttpResponse<Buffer> postRaw(String contentType, Buffer body) {
    HttpRequest<Buffer> req = u.request(HttpMethod.POST, TaskClient.BASE);
    if (contentType != null) {
      req.putHeader("Content-Type", contentType);
    }
    return body == null ? server.send(req) : server.send(req, body);
  }

  @Test
  void nonUuidIdsAre400OnEveryRoute() {
    for (String bad :
        List.of(
            "123",
            "not-a-uuid",
            "00000000-0000-4000-8000-00000000000g",
            "000000000000-4000-8000-0000-00000000",
            "+0000000-0000-4000-8000-000000000000",
            id + "0")) {
      assertFields(u.get(bad), Map.of("id", "invalid_uuid"));
      assertFields(
          u.patch(bad, new JsonObject().put("title", "x"), null), Map.of("id", "invalid_uuid"));
      assertFields(u.delete(bad, null), Map.of("id", "invalid_uuid"));
    }
    assertEquals(200, u.get(id.toUpperCase()).statusCode(), "any case of hex is a UUID");
  }

  @Test
  void titleRules() {
    assertFields(u.create(new JsonObject()), Map.of("title", "required"));
    assertFields(u.create(new JsonObject().put("title", "")), Map.of("title", "empty"));
    assertFields(u.create(new JsonObject().put("title", " \t\n ")), Map.of("title", "empty"));
    assertFields(
        u.create(new JsonObject().put("title", "x".repeat(201))), Map.of("title", "too_long"));
    assertEquals(
        201,
        u.create(new JsonObject().put("title", "  " + "x".repeat(200) + "  ")).statusCode(),
        "200 characters after trimming");
    assertFields(u.create(new JsonObject().putNull("title")), Map.of("title", "null_not_allowed"));
    assertFields(u.create(new JsonObject().put("title", 5)), Map.of("title", "invalid_type"));
    assertFields(u.create(new JsonObject().put("title", true)), Map.of("title", "invalid_type"));
    assertFields(
        u.create(new JsonObject().put("title", new JsonArray().add("a"))),
        Map.of("title", "invalid_type"));
    assertFields(
        u.create(new JsonObject().put("title", new JsonObject())), Map.of("title", "invalid_type"));
    assertFields(
        u.create(new JsonObject().put("title", "nul\u0000byte")),
        Map.of("title", "invalid_characters"));
  }

  @Test
  void unpairedSurrogatesAreRefusedNotStored() {
    HttpResponse<Buffer> r =
        postRaw("application/json", Buffer.buffer("{\"title\":\"bad \\ud800 half\"}"));
    assertFields(r, Map.of("title", "invalid_characters"));
  }

  @Test
  void otherFieldRules() {
    assertFields(
        u.create(new JsonObject().put("title", "t").put("notes", "n".repeat(10_001))),
        Map.of("notes", "too_long"));
    assertEquals(
        201,
        u.create(new JsonObject().put("title", "t").put("notes", "n".repeat(10_000))).statusCode());
    assertFields(
        u.create(new JsonObject().put("title", "t").put("notes", 1)),
        Map.of("notes", "invalid_type"));
    assertFields(
        u.create(new JsonObject().put("title", "t").put("status", "finished")),
        Map.of("status", "invalid_value"));
    assertFields(
        u.create(new JsonObject().put("title", "t").put("status", "TODO")),
        Map.of("status", "invalid_value"));
    assertFields(
        u.create(new JsonObject().put("title", "t").put("status", 1)),
        Map.of("status", "invalid_type"));
    assertFields(
        u.create(new JsonObject().put("title", "t").putNull("status")),
        Map.of("status", "null_not_allowed"));
    assertFields(
        u.create(new JsonObject().put("title", "t").put("priority", "urgent")),
        Map.of("priority", "invalid_value"));
    assertFields(
        u.create(new JsonObject().put("title", "t").putNull("priority")),
        Map.of("priority", "null_not_allowed"));
  }

  @Test
  void timestampsMustBeRfc3339() {
    for (String bad :
        List.of(
            "tomorrow",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-01-01",
            "2026-01-01T10:00Z",
            "2026-01-01T10:00:00",
            "2026-01-01 10:00:00Z",
            "2026-01-01T25:00:00Z",
            "2026-01-01T10:00:00+2:00",
            "+12026-01-01T00:00:00Z",
            "2026-01-01T10:00:00.1234567890Z",
            "1735689600")) {
      assertFields(
          u.create(new JsonObject().put("title", "t").put("due_at", bad)),
          Map.of("due_at", "invalid_timestamp"));
      assertFields(
          u.list("due_before=" + TaskClient.enc(bad)), Map.of("due_before", "invalid_timestamp"));
    }
    assertFields(
        u.create(new JsonObject().put("title", "t").put("due_at", "0000-12-31T23:59:59Z")),
        Map.of("due_at", "out_of_range"));
    assertFields(
        u.create(new JsonObject().put("title", "t").put("due_at", "9999-12-31T23:00:00-02:00")),
        Map.of("due_at", "out_of_range"));
    assertFields(
        u.create(new JsonObject().put("title", "t").put("due_at", 1735689600)),
        Map.of("due_at", "invalid_type"));
    JsonObject ok =
        u.created(new JsonObject().put("title", "t").put("due_at", "9999-12-31t23:59:59.999999z"));
    assertEquals("9999-12-31T23:59:59.999999Z", ok.getString("due_at"));
    assertEquals(
        "2026-01-01T10:00:00.123456Z",
        u.created(
                new JsonObject().put("title", "t").put("due_at", "2026-01-01T10:00:00.123456789Z"))
            .getString("due_at"),
        "nanoseconds are cut to microseconds");
    assertEquals(
        200,
        u.list("due_before=2026-01-01T10:00:00+02:00").statusCode(),
        "an unencoded + arrives as a space");
  }

  @Test
  void serverOwnedAndUnknownFieldsAreRefused() {
    JsonObject body =
        new JsonObject()
            .put("title", "t")
            .put("id", "00000000-0000-4000-8000-000000000000")
            .put("user_id", "00000000-0000-4000-8000-000000000000")
            .put("owner", "bob")
            .put("created_at", "2020-01-01T00:00:00Z")
            .put("updated_at", "2020-01-01T00:00:00Z")
            .put("version", 99)
            .put("colour", "red");
    assertFields(
        u.create(body),
        Map.of(
            "id",
            "read_only",
            "user_id",
            "read_only",
            "owner",
            "read_only",
            "created_at",
            "read_only",
            "updated_at",
            "read_only",
            "version",
            "read_only",
            "colour",
            "unknown_field"));
    assertFields(
        u.patch(id, new JsonObject().put("version", 7), null), Map.of("version", "read_only"));
    assertFields(
        u.patch(id, new JsonObject().put("deleted", true), null), Map.of("deleted", "read_only"));
    assertFields(
        u.patch(id, new JsonObject().put("user_id", "x").put("extra", 1), null),
        Map.of("user_id", "read_only", "extra", "unknown_field"));
    JsonObject now = u.get(id).bodyAsJsonObject();
    assertEquals(1, now.getInteger("version"), "nothing was written");
  }

  @Test
  void patchValidation() {
    assertFields(
        u.patch(id, new JsonObject().putNull("title"), null), Map.of("title", "null_not_allowed"));
    assertFields(u.patch(id, new JsonObject().put("title", "   "), null), Map.of("title", "empty"));
    assertFields(
        u.patch(id, new JsonObject().putNull("status"), null),
        Map.of("status", "null_not_allowed"));
    assertFields(
        u.patch(id, new JsonObject().put("due_at", "soon"), null),
        Map.of("due_at", "invalid_timestamp"));
    assertFields(
        u.patch(id, new JsonObject().put("title", "").put("status", "x").put("notes", 3), null),
        Map.of("title", "empty", "status", "invalid_value", "notes", "invalid_type"));
  }

  @Test
  void everyFieldErrorIsReportedAtOnce() {
    assertFields(
        u.create(
            new JsonObject()
                .put("title", "")
                .put("status", "nope")
                .put("due_at", "x")
                .put("id", "1")),
        Map.of(
            "title",
            "empty",
            "status",
            "invalid_value",
            "due_at",
            "invalid_timestamp",
            "id",
            "read_only"));
  }

  @Test
  void bodyShapeAndMediaType() {
    assertProblem(
        postRaw("text/plain", Buffer.buffer("{\"title\":\"t\"}")), 415, "unsupported_media_type");
    assertProblem(postRaw(null, Buffer.buffer("{\"title\":\"t\"}")), 415, "unsupported_media_type");
    assertProblem(
        postRaw("application/merge-patch+json", Buffer.buffer("{\"title\":\"t\"}")),
        415,
        "unsupported_media_type");
    assertProblem(
        postRaw("application/json; charset=latin1", Buffer.buffer("{\"title\":\"t\"}")),
        415,
        "unsupported_media_type");
    assertProblem(postRaw("application/json", Buffer.buffer("{\"title\":")), 400, "malformed_json");
    assertProblem(
        postRaw("application/json", Buffer.buffer("[{\"title\":\"t\"}]")), 400, "malformed_json");
    assertProblem(postRaw("application/json", Buffer.buffer("\"t\"")), 400, "malformed_json");
    assertProblem(postRaw("application/json", Buffer.buffer("")), 400, "missing_body");
    assertProblem(postRaw("application/json", null), 400, "missing_body");
    HttpResponse<Buffer> patch =
        server.send(
            u.request(HttpMethod.PATCH, TaskClient.BASE + "/" + id)
                .putHeader("Content-Type", "text/plain"),
            Buffer.buffer("{}"));
    assertProblem(patch, 415, "unsupported_media_type");
  }

  @Test
  void bodiesOverTheLimitAre413() {
    String big = "{\"title\":\"t\",\"notes\":\"" + "n".repeat(70_000) + "\"}";
    assertProblem(postRaw("application/json", Buffer.buffer(big)), 413, "payload_too_large");
    HttpResponse<Buffer> patch =
        server.send(
            u.request(HttpMethod.PATCH, TaskClient.BASE + "/" + id)
                .putHeader("Content-Type", "application/merge-patch+json"),
            Buffer.buffer(big));
    assertProblem(patch, 413, "payload_too_large");
  }

  @Test
  void listParameters() {
    for (String limit : List.of("0", "101", "-1", "99999999999999999999")) {
      assertFields(u.list("limit=" + limit), Map.of("limit", "out_of_range"));
    }
    for (String limit : List.of("abc", "1.5", "1e2", "+5", " 5")) {
      assertFields(u.list("limit=" + TaskClient.enc(limit)), Map.of("limit", "invalid_type"));
    }
    assertFields(u.list("sort=title"), Map.of("sort", "invalid_value"));
    assertFields(u.list("sort=created_at&order=up"), Map.of("order", "invalid_value"));
    assertFields(u.list("status=open"), Map.of("status", "invalid_value"));
    assertFields(u.list("priority=urgent"), Map.of("priority", "invalid_value"));
    assertFields(u.list("q=" + "x".repeat(201)), Map.of("q", "invalid_length"));
    assertFields(u.list("q="), Map.of("q", "empty"));
    assertFields(u.list("q=%00"), Map.of("q", "invalid_characters"));
    assertFields(u.list("updated_since=yesterday"), Map.of("updated_since", "invalid_timestamp"));
    assertFields(u.list("statuss=done"), Map.of("statuss", "unknown_parameter"));
    assertFields(u.list("status=todo&status=done"), Map.of("status", "repeated_parameter"));
    assertFields(
        u.list("limit=0&sort=x&due_after=y"),
        Map.of("limit", "out_of_range", "sort", "invalid_value", "due_after", "invalid_timestamp"));
    // broken percent-encoding is refused by the router itself, before any handler: still a 400
    // problem
    assertProblem(u.list("q=%zz"), 400, "bad_request");
  }

  @Test
  void malformedPreconditionsAre400() {
    for (String bad : List.of("1", "W/1", "\"1", "'1'", "\"1\" \"2\"")) {
      JsonObject p =
          assertProblem(
              u.patch(id, new JsonObject().put("notes", "x"), bad), 400, "invalid_precondition");
      assertEquals("If-Match", p.getJsonArray("errors").getJsonObject(0).getString("field"));
      assertProblem(u.delete(id, bad), 400, "invalid_precondition");
    }
    assertEquals(200, u.get(id).statusCode(), "still there");
    assertEquals(1, u.get(id).bodyAsJsonObject().getInteger("version"));
  }

  @Test
  void unsupportedMethodsAre405WithAllow() {
    HttpResponse<Buffer> put =
        server.send(
            u.request(HttpMethod.PUT, TaskClient.BASE + "/" + id),
            new JsonObject().put("title", "t"));
    assertProblem(put, 405, "method_not_allowed");
    assertEquals(
        Set.of("GET", "HEAD", "PATCH", "DELETE", "OPTIONS"),
        Set.of(put.getHeader("Allow").split(", ")));
    HttpResponse<Buffer> delete = server.send(u.request(HttpMethod.DELETE, TaskClient.BASE));
    assertProblem(delete, 405, "method_not_allowed");
  }
}
