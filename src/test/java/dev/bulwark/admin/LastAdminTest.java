package dev.bulwark.admin;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployment never loses its last active administrator: not by demotion, disabling or deletion,
 * its own or another's, nor by two administrators demoting each other at the same moment. On a
 * database of its own, so that the administrators other tests create do not count.
 */
class LastAdminTest {
  private static final String USERS = "/api/v1/admin/users";
  private static String db;
  private static TestServer server;

  @BeforeAll
  static void start() {
    db = TestServices.get().freshDatabaseUrl();
    Map<String, String> env = new HashMap<>(TestServer.baseEnv());
    env.put("DATABASE_URL", db);
    server = TestServer.start(env, Map.of());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<Buffer> patch(TestUser as, TestUser target, JsonObject change) {
    return Staff.send(server, as, HttpMethod.PATCH, USERS + "/" + target.id(), change);
  }

  private static long activeAdmins() {
    return Staff.count(
        db, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL");
  }

  @Test
  void theLastAdminStays() {
    TestUser a = Staff.account(server, db, "admin");
    assertEquals(1, activeAdmins());

    assertProblem(patch(a, a, new JsonObject().put("role", "staff")), 409, "last_admin");
    assertProblem(patch(a, a, new JsonObject().put("disabled", true)), 409, "last_admin");
    assertProblem(
        patch(a, a, new JsonObject().put("role", "user").put("disabled", true)), 409, "last_admin");
    assertProblem(
        Staff.send(
            server,
            a,
            HttpMethod.DELETE,
            "/api/v1/me",
            new JsonObject().put("password", a.password())),
        409,
        "last_admin");
    assertEquals(200, Staff.send(server, a, HttpMethod.GET, USERS, null).statusCode(), "untouched");
    assertEquals(
        200,
        patch(a, a, new JsonObject().put("role", "admin")).statusCode(),
        "no change is no loss");

    TestUser b = TestUsers.signup(server);
    assertEquals(200, patch(a, b, new JsonObject().put("role", "admin")).statusCode());
    assertEquals(200, patch(a, a, new JsonObject().put("role", "staff")).statusCode());
    assertEquals(1, activeAdmins());
    b = Staff.login(server, b);
    assertProblem(patch(b, b, new JsonObject().put("disabled", true)), 409, "last_admin");

    // two administrators demoting each other at once: one wins, one is refused
    TestUser c = TestUsers.signup(server);
    assertEquals(200, patch(b, c, new JsonObject().put("role", "admin")).statusCode());
    c = Staff.login(server, c);
    for (int round = 0; round < 5; round++) {
      TestUser first = b;
      TestUser second = c;
      Future<HttpResponse<Buffer>> one = send(first, second);
      Future<HttpResponse<Buffer>> two = send(second, first);
      List<Integer> statuses =
          List.of(Await.result(one).statusCode(), Await.result(two).statusCode());
      assertEquals(1, activeAdmins(), "round " + round + ": " + statuses);
      assertEquals(
          List.of(200, 409),
          statuses.stream().sorted().toList(),
          "round " + round + ": exactly one demotion wins");
      // restore: the remaining admin promotes the other again, both sign in afresh
      // the first request was refused: the second demoted the first, and the second is still admin
      TestUser winner = statuses.get(0) == 409 ? second : first;
      TestUser loser = winner == first ? second : first;
      winner = Staff.login(server, winner);
      assertEquals(200, patch(winner, loser, new JsonObject().put("role", "admin")).statusCode());
      b = winner;
      c = Staff.login(server, loser);
    }
  }

  private static Future<HttpResponse<Buffer>> send(TestUser as, TestUser target) {
    return server
        .request(HttpMethod.PATCH, USERS + "/" + target.id())
        .putHeader("Authorization", as.bearer())
        .sendJsonObject(new JsonObject().put("role", "user"));
  }
}
