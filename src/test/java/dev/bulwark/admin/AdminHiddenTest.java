package dev.bulwark.admin;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.admin.AdminAccessTest.Call;
import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * With {@code admin.hideFromNonStaff} on (the production default), the administration API cannot be
 * told from a path that does not exist by anyone without a staff role: no token, a forged or
 * revoked one, a user's — each gets the router's own 404. Staff still get 403 on what only
 * administrators do.
 */
@BulwarkTest(props = "admin.hideFromNonStaff=true")
class AdminHiddenTest {
  @BulwarkTest.Server private static TestServer server;

  @Test
  void nonStaffCallersSeeOnlyNotFound() {
    JsonObject unknown = assertProblem(server.get("/api/v1/admin/no-such-thing"), 404, "not_found");
    TestUser victim = TestUsers.signup(server);
    TestUser user = Staff.account(server, "user");
    TestUser staff = Staff.account(server, "staff");
    TestUser admin = Staff.account(server, "admin");
    String forged = "Bearer " + AdminAccessTest.withRole(user.accessToken(), "admin");
    for (Call c : AdminAccessTest.routes(victim.id().toString())) {
      for (String bearer : new String[] {null, "Bearer x.y.z", forged, user.bearer()}) {
        JsonObject hidden =
            assertProblem(AdminAccessTest.call(server, c, bearer), 404, "not_found");
        assertEquals(unknown.getString("title"), hidden.getString("title"), c.toString());
        assertEquals(unknown.getString("detail"), hidden.getString("detail"), c.toString());
      }
      if (c.staffOk()) {
        assertEquals(
            200, AdminAccessTest.call(server, c, staff.bearer()).statusCode(), c + " as staff");
      } else {
        assertProblem(AdminAccessTest.call(server, c, staff.bearer()), 403, "insufficient_role");
      }
      HttpResponse<Buffer> r = AdminAccessTest.call(server, c, admin.bearer());
      assertEquals(c.ok(), r.statusCode(), () -> c + " as admin: " + r.bodyAsString());
    }
  }

  @Test
  void aWrongMethodOnAHiddenRouteIsNotFoundToo() {
    JsonObject unknown = assertProblem(server.get("/api/v1/admin/no-such-thing"), 404, "not_found");
    TestUser admin = Staff.account(server, "admin");
    for (String path :
        new String[] {"/api/v1/admin/users", "/api/v1/admin/users/" + admin.id() + "/sessions"}) {
      HttpResponse<Buffer> r = server.send(server.request(HttpMethod.PUT, path));
      JsonObject hidden = assertProblem(r, 404, "not_found");
      assertEquals(unknown.getString("detail"), hidden.getString("detail"));
      assertEquals(null, r.getHeader("Allow"), path);
    }
    assertProblem(
        server.send(server.request(HttpMethod.PUT, "/api/v1/me")), 405, "method_not_allowed");
  }

  @Test
  void ordinaryRoutesStillAnswer401() {
    assertProblem(server.get("/api/v1/me"), 401, "missing_token");
  }
}
