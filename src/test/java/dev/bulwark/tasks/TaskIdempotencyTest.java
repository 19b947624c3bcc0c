package dev.bulwark.tasks;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Safe retries of POST with Idempotency-Key, and the per-user quota (set to 5 here), both under
 * concurrency.
 */
@BulwarkTest(props = "tasks.quotaPerUser=" + TaskIdempotencyTest.QUOTA)
class TaskIdempotencyTest {
  static final int QUOTA = 5;
  @BulwarkTest.Server private static TestServer server;

  private static HttpRequest<Buffer> post(TaskClient u, String key) {
    HttpRequest<Buffer> req =
        u.request(HttpMethod.POST, TaskClient.BASE).putHeader("Content-Type", "application/json");
    return key == null ? req : req.putHeader("Idempotency-Key", key);
  }

  private static HttpResponse<Buffer> post(TaskClient u, String key, String body) {
    return server.send(post(u, key), Buffer.buffer(body));
  }

  private static int liveTasks(TaskClient u) {
    return u.all("", 100).size();
  }

  @Test
  void theSameKeyAndBodyReplaysTheOriginal201() {
    TaskClient u = TaskClient.signup(server);
    String key = "retry-" + UUID.randomUUID();
    HttpResponse<Buffer> first = post(u, key, "{\"title\":\"Pay rent\",\"priority\":\"high\"}");
    assertEquals(201, first.statusCode(), first.bodyAsString());
    assertNull(first.getHeader("Idempotent-Replayed"));
    String id = first.bodyAsJsonObject().getString("id");
    // the task changes after the first response: a replay still answers the original 201
    u.patch(id, new JsonObject().put("status", "done"), null);

    HttpResponse<Buffer> again =
        post(u, key, "{ \"priority\": \"high\",  \"title\": \"Pay rent\" }");
    assertEquals(201, again.statusCode(), again.bodyAsString());
    assertEquals("true", again.getHeader("Idempotent-Replayed"));
    assertArrayEquals(
        first.body().getBytes(), again.body().getBytes(), "byte-for-byte the same body");
    assertEquals(first.getHeader("Location"), again.getHeader("Location"));
    assertEquals(first.getHeader("ETag"), again.getHeader("ETag"));
    assertEquals("application/json", again.getHeader("Content-Type"));
    assertEquals(1, liveTasks(u), "one task, not two");
  }

  @Test
  void theSameKeyWithADifferentBodyIs422AndCreatesNothing() {
    TaskClient u = TaskClient.signup(server);
    String key = "k-" + UUID.randomUUID();
    assertEquals(201, post(u, key, "{\"title\":\"Original\"}").statusCode());
    assertProblem(post(u, key, "{\"title\":\"Something else\"}"), 422, "idempotency_key_reused");
    assertProblem(
        post(u, key, "{\"title\":\"Original\",\"status\":\"todo\"}"),
        422,
        "idempotency_key_reused");
    assertEquals(1, liveTasks(u));
  }

  @Test
  void keysAreScopedToTheUser() {
    TaskClient a = TaskClient.signup(server);
    TaskClient b = TaskClient.signup(server);
    String key = "shared-" + UUID.randomUUID();
    HttpResponse<Buffer> ra = post(a, key, "{\"title\":\"same\"}");
    HttpResponse<Buffer> rb = post(b, key, "{\"title\":\"same\"}");
    assertEquals(201, ra.statusCode());
    assertEquals(201, rb.statusCode());
    assertNull(rb.getHeader("Idempotent-Replayed"));
    assertNotEquals(ra.bodyAsJsonObject().getString("id"), rb.bodyAsJsonObject().getString("id"));
  }

  @Test
  void concurrentDuplicatesCreateOneTask() {
    TaskClient u = TaskClient.signup(server);
    String key = "burst-" + UUID.randomUUID();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      sent.add(post(u, key).sendBuffer(Buffer.buffer("{\"title\":\"Tap tap tap\"}")));
    }
    Set<String> ids = new HashSet<>();
    int replays = 0;
    for (Future<HttpResponse<Buffer>> f : sent) {
      HttpResponse<Buffer> r = Await.result(f);
      assertEquals(201, r.statusCode(), r.bodyAsString());
      ids.add(r.bodyAsJsonObject().getString("id"));
      replays += "true".equals(r.getHeader("Idempotent-Replayed")) ? 1 : 0;
    }
    assertEquals(1, ids.size(), "every response names the same task");
    assertEquals(15, replays);
    assertEquals(1, liveTasks(u));
  }

  @Test
  void withoutAKeyEveryPostCreates() {
    TaskClient u = TaskClient.signup(server);
    assertEquals(201, post(u, null, "{\"title\":\"twice\"}").statusCode());
    assertEquals(201, post(u, null, "{\"title\":\"twice\"}").statusCode());
    assertEquals(2, liveTasks(u));
  }

  @Test
  void aRefusedRequestDoesNotUseUpItsKey() {
    TaskClient u = TaskClient.signup(server);
    String key = "fix-" + UUID.randomUUID();
    assertProblem(post(u, key, "{\"title\":\"\"}"), 400, "validation_failed");
    HttpResponse<Buffer> fixed = post(u, key, "{\"title\":\"fixed\"}");
    assertEquals(201, fixed.statusCode());
    assertNull(fixed.getHeader("Idempotent-Replayed"));
  }

  @Test
  void anExpiredKeyCreatesAgain() throws Exception {
    TaskClient u = TaskClient.signup(server);
    String key = "old-" + UUID.randomUUID();
    String first = post(u, key, "{\"title\":\"daily\"}").bodyAsJsonObject().getString("id");
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement s =
            c.prepareStatement(
                "UPDATE task_idempotency_keys SET created_at = now() - interval '25 hours' WHERE idempotency_key = ?")) {
      s.setString(1, key);
      assertEquals(1, s.executeUpdate());
    }
    HttpResponse<Buffer> later = post(u, key, "{\"title\":\"daily\"}");
    assertEquals(201, later.statusCode());
    assertNull(later.getHeader("Idempotent-Replayed"));
    assertNotEquals(first, later.bodyAsJsonObject().getString("id"));
    // and the new outcome is what the key replays from now on
    assertEquals(later.bodyAsString(), post(u, key, "{\"title\":\"daily\"}").bodyAsString());
  }

  @Test
  void malformedKeysAre400NamingTheHeader() {
    TaskClient u = TaskClient.signup(server);
    for (String bad : List.of("", "has space", "x".repeat(256), "naïve", "tab\tkey")) {
      JsonObject p =
          assertProblem(post(u, bad, "{\"title\":\"k\"}"), 400, "invalid_idempotency_key");
      assertEquals("Idempotency-Key", p.getJsonArray("errors").getJsonObject(0).getString("field"));
    }
    HttpRequest<Buffer> twice = post(u, null);
    twice.headers().add("Idempotency-Key", "a").add("Idempotency-Key", "b");
    assertProblem(
        server.send(twice, Buffer.buffer("{\"title\":\"k\"}")), 400, "invalid_idempotency_key");
    assertEquals(
        201,
        post(u, "x".repeat(255), "{\"title\":\"k\"}").statusCode(),
        "255 visible characters are fine");
    assertEquals(201, post(u, "!~", "{\"title\":\"k\"}").statusCode());
    assertEquals(2, liveTasks(u));
  }

  @Test
  void theQuotaIsExactAndCountsOnlyLiveTasks() {
    TaskClient u = TaskClient.signup(server);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < QUOTA; i++) {
      ids.add(u.created("q" + i).getString("id"));
    }
    JsonObject p =
        assertProblem(
            u.create(new JsonObject().put("title", "one too many")), 409, "quota_exceeded");
    assertEquals(QUOTA, liveTasks(u));
    assertEquals(true, p.getString("detail").contains(Integer.toString(QUOTA)));
    u.delete(ids.get(0), null);
    assertEquals(201, u.create(new JsonObject().put("title", "room again")).statusCode());
    assertProblem(u.create(new JsonObject().put("title", "full again")), 409, "quota_exceeded");
  }

  @Test
  void concurrentCreatesCannotOvershootTheQuota() {
    TaskClient u = TaskClient.signup(server);
    u.created("already");
    u.created("there");
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      sent.add(post(u, null).sendBuffer(Buffer.buffer("{\"title\":\"race " + i + "\"}")));
    }
    int created = 0;
    int refused = 0;
    for (Future<HttpResponse<Buffer>> f : sent) {
      HttpResponse<Buffer> r = Await.result(f);
      if (r.statusCode() == 201) {
        created++;
      } else {
        assertProblem(r, 409, "quota_exceeded");
        refused++;
      }
    }
    assertEquals(QUOTA - 2, created);
    assertEquals(12 - (QUOTA - 2), refused);
    assertEquals(QUOTA, liveTasks(u));
  }

  @Test
  void aReplayStillAnswersAtTheQuota() {
    TaskClient u = TaskClient.signup(server);
    String key = "full-" + UUID.randomUUID();
    HttpResponse<Buffer> first = post(u, key, "{\"title\":\"keyed\"}");
    for (int i = 1; i < QUOTA; i++) {
      u.created("fill " + i);
    }
    HttpResponse<Buffer> replay = post(u, key, "{\"title\":\"keyed\"}");
    assertEquals(201, replay.statusCode(), replay.bodyAsString());
    assertEquals(first.bodyAsString(), replay.bodyAsString());
  }
}
