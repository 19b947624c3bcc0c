package dev.bulwark.admin;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Who reaches which administration route, with {@code admin.hideFromNonStaff} off (the development
 * default): no token 401, a user 403, staff the reads only, an administrator everything. {@link
 * AdminHiddenTest} is the same matrix with the routes hidden.
 */
@BulwarkTest
class AdminAccessTest {
  @BulwarkTest.Server private static TestServer server;

  /** One administration route: what an administrator sends, what it gets, and who may call it. */
  record Call(HttpMethod method, String path, Supplier<JsonObject> body, int ok, boolean staffOk) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  static List<Call> routes(String victimId) {
    String users = "/api/v1/admin/users";
    return List.of(
        new Call(HttpMethod.GET, users, null, 200, true),
        new Call(
            HttpMethod.POST,
            users,
            () ->
                new JsonObject()
                    .put("email", TestUsers.uniqueEmail())
                    .put("password", TestUsers.PASSWORD)
                    .put("role", "staff"),
            201,
            false),
        new Call(HttpMethod.GET, users + "/" + victimId, null, 200, true),
        new Call(
            HttpMethod.PATCH,
            users + "/" + victimId,
            () -> new JsonObject().put("disabled", false),
            200,
            false),
        new Call(HttpMethod.DELETE, users + "/" + victimId + "/sessions", null, 204, false),
        new Call(HttpMethod.GET, "/api/v1/admin/audit-events", null, 200, true));
  }

  static HttpResponse<Buffer> call(TestServer server, Call c, String bearer) {
    var request = server.request(c.method(), c.path());
    if (bearer != null) {
      request.putHeader("Authorization", bearer);
    }
    return c.body() == null ? server.send(request) : server.send(request, c.body().get());
  }

  @Test
  void everyAdminRouteByRole() {
    TestUser victim = TestUsers.signup(server);
    TestUser user = Staff.account(server, "user");
    TestUser staff = Staff.account(server, "staff");
    TestUser admin = Staff.account(server, "admin");
    for (Call c : routes(victim.id().toString())) {
      assertProblem(call(server, c, null), 401, "missing_token");
      assertProblem(call(server, c, user.bearer()), 403, "insufficient_role");
      if (c.staffOk()) {
        assertEquals(200, call(server, c, staff.bearer()).statusCode(), c + " as staff");
      } else {
        assertProblem(call(server, c, staff.bearer()), 403, "insufficient_role");
      }
      HttpResponse<Buffer> r = call(server, c, admin.bearer());
      assertEquals(c.ok(), r.statusCode(), () -> c + " as admin: " + r.bodyAsString());
    }
  }

  @Test
  void aRoleClaimEditedIntoATokenFailsItsSignature() {
    TestUser user = Staff.account(server, "user");
    assertEquals("user", TestUsers.claims(user.accessToken()).getString("role"));
    String forged = withRole(user.accessToken(), "admin");
    assertProblem(
        call(server, routes(user.id().toString()).get(0), "Bearer " + forged),
        401,
        "invalid_signature");
  }

  @Test
  void theTokenCarriesTheRoleAndMeShowsIt() {
    TestUser staff = Staff.account(server, "staff");
    assertEquals("staff", TestUsers.claims(staff.accessToken()).getString("role"));
    HttpResponse<Buffer> me =
        server.send(TestUsers.as(server, staff, HttpMethod.GET, "/api/v1/me"));
    assertEquals("staff", me.bodyAsJsonObject().getString("role"));
  }

  @Test
  void shownRoutesAnswerAWrongMethodWith405() {
    HttpResponse<Buffer> r = server.send(server.request(HttpMethod.PUT, "/api/v1/admin/users"));
    assertProblem(r, 405, "method_not_allowed");
    assertEquals("GET, HEAD, POST, OPTIONS", r.getHeader("Allow"));
  }

  @Test
  void auditEventsCannotBeDeletedThroughTheApi() {
    TestUser admin = Staff.account(server, "admin");
    HttpResponse<Buffer> r =
        server.send(TestUsers.as(server, admin, HttpMethod.DELETE, "/api/v1/admin/audit-events"));
    assertProblem(r, 405, "method_not_allowed");
  }

  /** The token with its payload's role claim replaced, the signature left as it was. */
  static String withRole(String jwt, String role) {
    String[] parts = jwt.split("\\.");
    JsonObject claims = TestUsers.claims(jwt).put("role", role);
    String payload =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    return parts[0] + "." + payload + "." + parts[2];
  }
}
