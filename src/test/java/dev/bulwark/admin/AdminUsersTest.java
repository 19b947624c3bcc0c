package dev.bulwark.admin;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The administration API as administrators and their targets see it: changes take effect on the
 * target's very next request, are audited with actor and before/after, lists filter and page, and
 * bad input is a 4xx.
 */
@BulwarkTest
class AdminUsersTest {
  private static final String USERS = "/api/v1/admin/users";

  @BulwarkTest.Server private static TestServer server;

  private static HttpResponse<Buffer> as(TestUser u, HttpMethod m, String path) {
    return Staff.send(server, u, m, path, null);
  }

  private static HttpResponse<Buffer> as(TestUser u, HttpMethod m, String path, JsonObject body) {
    return Staff.send(server, u, m, path, body);
  }

  private static HttpResponse<Buffer> refresh(String token) {
    return server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/refresh"),
        new JsonObject().put("refresh_token", token));
  }

  private static HttpResponse<Buffer> login(TestUser u, String password) {
    return server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/login"),
        new JsonObject().put("email", u.email()).put("password", password));
  }

  private static JsonObject patch(TestUser admin, TestUser target, JsonObject change) {
    HttpResponse<Buffer> r = as(admin, HttpMethod.PATCH, USERS + "/" + target.id(), change);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static void assertFieldError(HttpResponse<Buffer> r, String field, String code) {
    JsonObject body = assertProblem(r, 400, "validation_failed");
    JsonArray errors = body.getJsonArray("errors");
    assertTrue(
        errors.stream()
            .map(JsonObject.class::cast)
            .anyMatch(e -> field.equals(e.getString("field")) && code.equals(e.getString("code"))),
        () -> "expected " + field + "/" + code + " in " + body);
  }

  @Test
  void demotionTakesEffectOnTheNextRequestAndRefreshCarriesTheNewRole() {
    TestUser admin = Staff.account(server, "admin");
    TestUser staff = Staff.account(server, "staff");
    assertEquals(200, as(staff, HttpMethod.GET, USERS).statusCode());

    assertEquals(
        "user", patch(admin, staff, new JsonObject().put("role", "user")).getString("role"));

    assertProblem(as(staff, HttpMethod.GET, USERS), 401, "token_revoked");
    assertProblem(as(staff, HttpMethod.GET, "/api/v1/tasks"), 401, "token_revoked");
    HttpResponse<Buffer> refreshed = refresh(staff.refreshToken());
    assertEquals(200, refreshed.statusCode(), "the session lives on: " + refreshed.bodyAsString());
    TestUser demoted =
        TestUsers.fromPair(staff.email(), staff.password(), refreshed.bodyAsJsonObject());
    assertEquals("user", TestUsers.claims(demoted.accessToken()).getString("role"));
    assertProblem(as(demoted, HttpMethod.GET, USERS), 403, "insufficient_role");
    assertEquals(200, as(demoted, HttpMethod.GET, "/api/v1/tasks").statusCode());
  }

  @Test
  void promotionTakesEffectAtTheNextRefresh() {
    TestUser admin = Staff.account(server, "admin");
    TestUser user = TestUsers.signup(server);
    patch(admin, user, new JsonObject().put("role", "staff"));
    assertProblem(as(user, HttpMethod.GET, USERS), 401, "token_revoked");
    JsonObject pair = refresh(user.refreshToken()).bodyAsJsonObject();
    TestUser promoted = TestUsers.fromPair(user.email(), user.password(), pair);
    assertEquals("staff", TestUsers.claims(promoted.accessToken()).getString("role"));
    assertEquals(200, as(promoted, HttpMethod.GET, USERS).statusCode());
  }

  @Test
  void disablingEndsEverySessionAndLoginIsRefusedOnlyOnceThePasswordChecksOut() {
    TestUser admin = Staff.account(server, "admin");
    TestUser user = TestUsers.signup(server);
    JsonObject phone = login(user, user.password()).bodyAsJsonObject();

    JsonObject disabled = patch(admin, user, new JsonObject().put("disabled", true));
    assertTrue(disabled.getBoolean("disabled"));
    assertNotNull(disabled.getString("disabled_at"));

    assertProblem(as(user, HttpMethod.GET, "/api/v1/me"), 401, "token_revoked");
    assertProblem(
        server.send(
            server
                .request(HttpMethod.GET, "/api/v1/me")
                .putHeader("Authorization", "Bearer " + phone.getString("access_token"))),
        401,
        "token_revoked");
    assertProblem(refresh(user.refreshToken()), 401, "session_revoked");
    assertProblem(refresh(phone.getString("refresh_token")), 401, "session_revoked");

    assertProblem(login(user, "not-the-password-at-all"), 401, "invalid_credentials");
    assertProblem(login(user, user.password()), 403, "account_disabled");

    patch(admin, user, new JsonObject().put("disabled", false));
    assertEquals(200, login(user, user.password()).statusCode(), "enabled again");
  }

  @Test
  void endingSessionsStopsEveryTokenAtOnce() {
    TestUser admin = Staff.account(server, "admin");
    TestUser user = TestUsers.signup(server);
    HttpResponse<Buffer> r = as(admin, HttpMethod.DELETE, USERS + "/" + user.id() + "/sessions");
    assertEquals(204, r.statusCode(), r.bodyAsString());
    assertProblem(as(user, HttpMethod.GET, "/api/v1/tasks"), 401, "token_revoked");
    assertProblem(refresh(user.refreshToken()), 401, "session_revoked");
    assertEquals(200, login(user, user.password()).statusCode(), "the account itself is fine");
  }

  @Test
  void everyAdminActionIsAuditedWithActorTargetAndChange() {
    TestUser admin = Staff.account(server, "admin");
    TestUser user = TestUsers.signup(server);
    patch(admin, user, new JsonObject().put("role", "staff").put("disabled", true));
    as(admin, HttpMethod.DELETE, USERS + "/" + user.id() + "/sessions");

    JsonArray items =
        as(admin, HttpMethod.GET, "/api/v1/admin/audit-events?user_id=" + user.id())
            .bodyAsJsonObject()
            .getJsonArray("items");
    JsonObject updated = find(items, "admin_user_updated");
    assertEquals(user.id().toString(), updated.getString("user_id"));
    JsonObject details = updated.getJsonObject("details");
    assertEquals(admin.id().toString(), details.getString("actor_id"));
    assertEquals(
        new JsonObject().put("role", "user").put("disabled", false),
        details.getJsonObject("before"));
    assertEquals(
        new JsonObject().put("role", "staff").put("disabled", true),
        details.getJsonObject("after"));
    assertEquals(
        admin.id().toString(),
        find(items, "admin_sessions_ended").getJsonObject("details").getString("actor_id"));

    HttpResponse<Buffer> created =
        as(
            admin,
            HttpMethod.POST,
            USERS,
            new JsonObject()
                .put("email", TestUsers.uniqueEmail())
                .put("password", TestUsers.PASSWORD));
    JsonObject event =
        find(
            as(
                    admin,
                    HttpMethod.GET,
                    "/api/v1/admin/audit-events?event=admin_user_created&user_id="
                        + created.bodyAsJsonObject().getString("id"))
                .bodyAsJsonObject()
                .getJsonArray("items"),
            "admin_user_created");
    assertEquals(admin.id().toString(), event.getJsonObject("details").getString("actor_id"));
    assertEquals("staff", event.getJsonObject("details").getJsonObject("after").getString("role"));
  }

  private static JsonObject find(JsonArray items, String event) {
    return items.stream()
        .map(JsonObject.class::cast)
        .filter(e -> event.equals(e.getString("event")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + event + " in " + items));
  }

  @Test
  void theProtectedCreationOfStaffAccounts() {
    TestUser admin = Staff.account(server, "admin");
    String email = TestUsers.uniqueEmail();
    HttpResponse<Buffer> r =
        as(
            admin,
            HttpMethod.POST,
            USERS,
            new JsonObject()
                .put("email", email)
                .put("password", TestUsers.PASSWORD)
                .put("display_name", "Officer Dibble"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject created = r.bodyAsJsonObject();
    assertEquals("staff", created.getString("role"), "staff unless said otherwise");
    assertEquals(USERS + "/" + created.getString("id"), r.getHeader("Location"));
    TestUser officer =
        Staff.login(server, new TestUser(email, TestUsers.PASSWORD, null, null, null, null));
    assertEquals("staff", TestUsers.claims(officer.accessToken()).getString("role"));

    assertProblem(
        as(
            admin,
            HttpMethod.POST,
            USERS,
            new JsonObject().put("email", email).put("password", TestUsers.PASSWORD)),
        409,
        "email_taken");
    assertFieldError(
        as(
            admin,
            HttpMethod.POST,
            USERS,
            new JsonObject()
                .put("email", TestUsers.uniqueEmail())
                .put("password", TestUsers.PASSWORD)
                .put("role", "root")),
        "role",
        "unknown_role");
    assertProblem(
        as(
            admin,
            HttpMethod.POST,
            USERS,
            new JsonObject().put("email", "x").put("password", "short")),
        400,
        "validation_failed");
  }

  @Test
  void rolesCannotBeMassAssigned() {
    HttpResponse<Buffer> signup =
        server.send(
            server.request(HttpMethod.POST, "/api/v1/auth/signup"),
            new JsonObject()
                .put("email", TestUsers.uniqueEmail())
                .put("password", TestUsers.PASSWORD)
                .put("role", "admin"));
    assertFieldError(signup, "role", "unknown_field");

    TestUser user = TestUsers.signup(server);
    assertFieldError(
        as(user, HttpMethod.PATCH, "/api/v1/me", new JsonObject().put("role", "admin")),
        "role",
        "read_only");
    assertEquals(
        "user", as(user, HttpMethod.GET, "/api/v1/me").bodyAsJsonObject().getString("role"));
  }

  @Test
  void oneAccountWithItsSessionsAndRecentEvents() {
    TestUser staff = Staff.account(server, "staff");
    TestUser user = TestUsers.signup(server);
    JsonObject detail = as(staff, HttpMethod.GET, USERS + "/" + user.id()).bodyAsJsonObject();
    assertEquals(user.email(), detail.getString("email"));
    assertEquals("user", detail.getString("role"));
    assertFalse(detail.getBoolean("disabled"));
    JsonArray sessions = detail.getJsonArray("sessions");
    assertEquals(1, sessions.size());
    assertEquals(user.sessionId().toString(), sessions.getJsonObject(0).getString("id"));
    assertEquals("bulwark-tests", sessions.getJsonObject(0).getString("device_name"));
    assertEquals("signup", find(detail.getJsonArray("recent_events"), "signup").getString("event"));
  }

  @Test
  void theListFiltersAndPagesWithCursorsBoundToTheirFilters() {
    TestUser admin = Staff.account(server, "admin");
    String prefix = "pg" + UUID.randomUUID().toString().substring(0, 8);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      HttpResponse<Buffer> r =
          server.send(
              server.request(HttpMethod.POST, "/api/v1/auth/signup"),
              new JsonObject()
                  .put("email", prefix + "-" + i + "@example.com")
                  .put("password", TestUsers.PASSWORD));
      ids.add(TestUsers.claims(r.bodyAsJsonObject().getString("access_token")).getString("sub"));
    }
    String base = USERS + "?email_prefix=" + prefix + "&limit=2";
    Set<String> seen = new HashSet<>();
    List<String> order = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page =
          as(admin, HttpMethod.GET, base + (cursor == null ? "" : "&cursor=" + cursor))
              .bodyAsJsonObject();
      page.getJsonArray("items").forEach(o -> order.add(((JsonObject) o).getString("id")));
      cursor = page.getString("next_cursor");
      pages++;
      if (pages == 1) {
        assertProblem(
            as(admin, HttpMethod.GET, base + "&role=staff&cursor=" + cursor),
            400,
            "validation_failed");
        assertFieldError(
            as(admin, HttpMethod.GET, USERS + "?limit=2&cursor=" + cursor),
            "cursor",
            "invalid_cursor");
        assertFieldError(
            as(admin, HttpMethod.GET, "/api/v1/admin/audit-events?cursor=" + cursor),
            "cursor",
            "invalid_cursor");
        assertFieldError(
            as(admin, HttpMethod.GET, base + "&cursor=" + cursor.substring(1) + "A"),
            "cursor",
            "invalid_cursor");
      }
    } while (cursor != null);
    seen.addAll(order);
    assertEquals(3, pages);
    assertEquals(Set.copyOf(ids), seen);
    assertEquals(5, order.size());
    List<String> newestFirst = new ArrayList<>(ids);
    java.util.Collections.reverse(newestFirst);
    assertEquals(newestFirst, order);

    patch(
        admin,
        new TestUser(null, null, UUID.fromString(ids.get(0)), null, null, null),
        new JsonObject().put("disabled", true));
    JsonArray disabled =
        as(admin, HttpMethod.GET, USERS + "?disabled=true&email_prefix=" + prefix)
            .bodyAsJsonObject()
            .getJsonArray("items");
    assertEquals(1, disabled.size());
    assertEquals(ids.get(0), disabled.getJsonObject(0).getString("id"));
    assertEquals(
        0,
        as(admin, HttpMethod.GET, USERS + "?role=staff&email_prefix=" + prefix)
            .bodyAsJsonObject()
            .getJsonArray("items")
            .size());
    assertEquals(
        0,
        as(admin, HttpMethod.GET, USERS + "?email_prefix=%25")
            .bodyAsJsonObject()
            .getJsonArray("items")
            .size(),
        "a LIKE wildcard in the prefix is taken literally");
    assertEquals(
        0,
        as(admin, HttpMethod.GET, USERS + "?created_before=2000-01-01T00:00:00Z")
            .bodyAsJsonObject()
            .getJsonArray("items")
            .size());
  }

  @Test
  void badInputIsA4xx() {
    TestUser admin = Staff.account(server, "admin");
    TestUser user = TestUsers.signup(server);
    String target = USERS + "/" + user.id();
    String missing = USERS + "/" + UUID.randomUUID();
    assertFieldError(
        as(admin, HttpMethod.PATCH, target, new JsonObject().put("role", "superuser")),
        "role",
        "unknown_role");
    assertFieldError(
        as(admin, HttpMethod.PATCH, target, new JsonObject().put("disabled", "yes")),
        "disabled",
        "invalid_type");
    assertFieldError(as(admin, HttpMethod.PATCH, target, new JsonObject()), "role", "required");
    assertFieldError(
        as(admin, HttpMethod.PATCH, target, new JsonObject().put("email", "a@b.c")),
        "email",
        "unknown_field");
    assertProblem(as(admin, HttpMethod.GET, missing), 404, "not_found");
    assertProblem(
        as(admin, HttpMethod.PATCH, missing, new JsonObject().put("role", "staff")),
        404,
        "not_found");
    assertProblem(as(admin, HttpMethod.DELETE, missing + "/sessions"), 404, "not_found");
    assertFieldError(as(admin, HttpMethod.GET, USERS + "/not-a-uuid"), "id", "invalid_uuid");
    assertFieldError(as(admin, HttpMethod.GET, USERS + "?role=superuser"), "role", "invalid_value");
    assertFieldError(as(admin, HttpMethod.GET, USERS + "?limit=0"), "limit", "out_of_range");
    assertFieldError(
        as(admin, HttpMethod.GET, USERS + "?disabled=maybe"), "disabled", "invalid_value");
    assertFieldError(
        as(admin, HttpMethod.GET, USERS + "?created_from=yesterday"),
        "created_from",
        "invalid_timestamp");
    assertFieldError(
        as(admin, HttpMethod.GET, USERS + "?cursor=%00%01"), "cursor", "invalid_characters");
    assertFieldError(
        as(admin, HttpMethod.GET, "/api/v1/admin/audit-events?user_id=nope"),
        "user_id",
        "invalid_length");
    assertFieldError(
        as(admin, HttpMethod.GET, "/api/v1/admin/audit-events?user_id=" + "z".repeat(36)),
        "user_id",
        "invalid_uuid");
    assertFieldError(
        as(admin, HttpMethod.GET, "/api/v1/admin/audit-events?sort=id"),
        "sort",
        "unknown_parameter");
  }

  @Test
  void theAuditListFiltersAndPages() {
    TestUser admin = Staff.account(server, "admin");
    TestUser user = TestUsers.signup(server);
    for (int i = 0; i < 3; i++) {
      login(user, user.password());
    }
    String base =
        "/api/v1/admin/audit-events?event=login_success&user_id=" + user.id() + "&limit=2";
    JsonObject first = as(admin, HttpMethod.GET, base).bodyAsJsonObject();
    assertEquals(2, first.getJsonArray("items").size());
    JsonObject second =
        as(admin, HttpMethod.GET, base + "&cursor=" + first.getString("next_cursor"))
            .bodyAsJsonObject();
    assertEquals(1, second.getJsonArray("items").size());
    assertNull(second.getValue("next_cursor"));
    assertTrue(
        first.getJsonArray("items").getJsonObject(1).getLong("id")
            > second.getJsonArray("items").getJsonObject(0).getLong("id"),
        "newest first");
    assertFieldError(
        as(
            admin,
            HttpMethod.GET,
            "/api/v1/admin/audit-events?event=signup&user_id="
                + user.id()
                + "&cursor="
                + first.getString("next_cursor")),
        "cursor",
        "invalid_cursor");
    assertEquals(
        0,
        as(admin, HttpMethod.GET, base + "&from=2999-01-01T00:00:00Z")
            .bodyAsJsonObject()
            .getJsonArray("items")
            .size());
  }
}
