package dev.bulwark.admin;

import dev.bulwark.admin.AdminRepository.Account;
import dev.bulwark.admin.AdminRepository.AuditEvent;
import dev.bulwark.auth.Emails;
import dev.bulwark.auth.PasswordHasher;
import dev.bulwark.auth.PasswordPolicy;
import dev.bulwark.auth.Principal;
import dev.bulwark.auth.RequestInfo;
import dev.bulwark.auth.Revocations;
import dev.bulwark.auth.SessionRepository;
import dev.bulwark.auth.StepUp;
import dev.bulwark.config.Roles;
import dev.bulwark.core.FieldError;
import dev.bulwark.core.Role;
import dev.bulwark.core.Timestamps;
import dev.bulwark.http.Access;
import dev.bulwark.http.ApiRouter;
import dev.bulwark.http.Fields;
import dev.bulwark.http.JsonBody;
import dev.bulwark.http.PathParams;
import dev.bulwark.http.QueryParams;
import dev.bulwark.http.Responses;
import dev.bulwark.http.RouteModule;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * The administration API. Staff read (accounts, one account with its sessions and recent events,
 * the audit trail); administrators also create accounts, change roles, disable, and end sessions.
 * The required role of each route stands beside its access level below; the gate enforces it from
 * the token's role claim.
 */
public final class AdminRoutes implements RouteModule {
  static final String USERS = "/api/v1/admin/users";
  private static final int DEFAULT_LIMIT = 50;
  private static final int MAX_LIMIT = 100;
  private static final int MAX_NAME = 100;
  private static final Set<String> USER_QUERY =
      Set.of(
          "role", "disabled", "email_prefix", "created_from", "created_before", "limit", "cursor");
  private static final Set<String> AUDIT_QUERY =
      Set.of("user_id", "event", "from", "before", "limit", "cursor");

  private final AdminService admin;
  private final AdminCursors cursors;
  private final Roles roles;
  private final Set<String> roleNames;
  private final StepUp stepUp;

  /**
   * {@code stepUp}: every administration route needs a level-2 session from callers whose account
   * has a second factor.
   */
  public AdminRoutes(
      Pool pg,
      PasswordHasher hasher,
      Revocations revocations,
      Roles roles,
      String cursorSecret,
      StepUp stepUp) {
    this.stepUp = stepUp;
    this.admin = new AdminService(pg, hasher, revocations, roles);
    this.cursors = new AdminCursors(cursorSecret);
    this.roles = roles;
    this.roleNames = Set.copyOf(roles.names());
  }

  @Override
  public void mount(ApiRouter api) {
    api.route(HttpMethod.GET, USERS, Access.USER, Role.STAFF, stepUp.before(this::listUsers));
    api.route(HttpMethod.POST, USERS, Access.USER, Role.ADMIN, stepUp.before(this::createUser));
    api.route(HttpMethod.GET, USERS + "/:id", Access.USER, Role.STAFF, stepUp.before(this::user));
    api.route(
        HttpMethod.PATCH, USERS + "/:id", Access.USER, Role.ADMIN, stepUp.before(this::updateUser));
    api.route(
        HttpMethod.DELETE,
        USERS + "/:id/sessions",
        Access.USER,
        Role.ADMIN,
        stepUp.before(this::endSessions));
    api.route(
        HttpMethod.GET,
        "/api/v1/admin/audit-events",
        Access.USER,
        Role.STAFF,
        stepUp.before(this::listAudit));
  }

  private void listUsers(RoutingContext ctx) {
    QueryParams q = QueryParams.of(ctx, USER_QUERY);
    String role = q.oneOf("role", roleNames, null);
    String disabledParam = q.oneOf("disabled", Set.of("true", "false"), null);
    String prefix = q.string("email_prefix", 1, 320);
    OffsetDateTime from = q.timestamp("created_from");
    OffsetDateTime before = q.timestamp("created_before");
    int limit = q.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    String cursor = q.string("cursor", 1, 1024);
    q.validate();
    AdminRepository.UserFilter filter =
        new AdminRepository.UserFilter(
            role,
            disabledParam == null ? null : Boolean.valueOf(disabledParam),
            prefix == null ? null : prefix.toLowerCase(Locale.ROOT),
            from,
            before);
    String filters = fingerprint(role, disabledParam, filter.emailPrefix(), from, before);
    Account after = null;
    if (cursor != null) {
      List<String> pos = cursors.decode(cursor, "users", filters, 2);
      after =
          new Account(
              UUID.fromString(pos.get(1)),
              null,
              null,
              null,
              null,
              Timestamps.fromMicros(Long.parseLong(pos.get(0))),
              null);
    }
    admin
        .listUsers(filter, after, limit + 1)
        .onSuccess(
            page -> {
              JsonArray items = new JsonArray();
              page.stream().limit(limit).forEach(a -> items.add(accountJson(a)));
              JsonObject body = new JsonObject().put("items", items);
              if (page.size() > limit) {
                Account last = page.get(limit - 1);
                body.put(
                    "next_cursor",
                    cursors.encode(
                        "users",
                        filters,
                        List.of(
                            Long.toString(Timestamps.toMicros(last.createdAt())),
                            last.id().toString())));
              } else {
                body.putNull("next_cursor");
              }
              json(ctx, 200, body);
            })
        .onFailure(ctx::fail);
  }

  private void user(RoutingContext ctx) {
    UUID id = PathParams.uuid(ctx, "id");
    admin
        .detail(id)
        .onSuccess(
            d -> {
              JsonArray sessions = new JsonArray();
              for (SessionRepository.SessionView s : d.sessions()) {
                sessions.add(
                    new JsonObject()
                        .put("id", s.id().toString())
                        .put("device_name", s.deviceName())
                        .put("user_agent", s.userAgent())
                        .put("ip", s.ip())
                        .put("created_at", Timestamps.format(s.createdAt()))
                        .put("last_used_at", Timestamps.format(s.lastUsedAt()))
                        .put("expires_at", Timestamps.format(s.expiresAt())));
              }
              JsonArray events = new JsonArray();
              d.events().forEach(e -> events.add(eventJson(e)));
              json(
                  ctx,
                  200,
                  accountJson(d.account()).put("sessions", sessions).put("recent_events", events));
            })
        .onFailure(ctx::fail);
  }

  private void createUser(RoutingContext ctx) {
    Fields f =
        new Fields(JsonBody.object(ctx), Set.of("email", "password", "display_name", "role"));
    String rawEmail = f.requiredString("email", 1, 320);
    String email = rawEmail == null ? null : Emails.normalize(rawEmail);
    if (rawEmail != null && email == null) {
      f.error("email", "invalid_email", "'email' must be a valid email address.");
    }
    String rawPassword = f.requiredString("password", 1, 1024);
    String password = rawPassword == null ? null : PasswordPolicy.normalize(rawPassword);
    if (password != null) {
      FieldError problem = PasswordPolicy.check("password", password);
      if (problem != null) {
        f.error(problem.field(), problem.code(), problem.message());
      }
    }
    String name = f.optionalString("display_name", 1, MAX_NAME, true);
    String role = role(f);
    f.validate();
    admin
        .create(
            Principal.of(ctx),
            new AdminService.NewAccount(
                email,
                password,
                name == null || name.isBlank() ? null : name.trim(),
                role == null ? roles.name(Role.STAFF) : role),
            RequestInfo.of(ctx))
        .onSuccess(
            a -> {
              if (Responses.answered(ctx)) {
                return;
              }
              ctx.response().putHeader("Location", USERS + "/" + a.id());
              json(ctx, 201, accountJson(a));
            })
        .onFailure(ctx::fail);
  }

  private void updateUser(RoutingContext ctx) {
    UUID id = PathParams.uuid(ctx, "id");
    JsonObject body = JsonBody.object(ctx);
    Fields f = new Fields(body, Set.of("role", "disabled"));
    String role = role(f);
    Boolean disabled = null;
    if (body.containsKey("disabled")) {
      if (body.getValue("disabled") instanceof Boolean b) {
        disabled = b;
      } else {
        f.error("disabled", "invalid_type", "'disabled' must be true or false.");
      }
    }
    if (!body.containsKey("role") && !body.containsKey("disabled") && f.errors().isEmpty()) {
      f.error("role", "required", "Send at least one field to change: role, disabled.");
    }
    f.validate();
    admin
        .update(Principal.of(ctx), id, new AdminService.Change(role, disabled), RequestInfo.of(ctx))
        .onSuccess(a -> json(ctx, 200, accountJson(a)))
        .onFailure(ctx::fail);
  }

  private void endSessions(RoutingContext ctx) {
    UUID id = PathParams.uuid(ctx, "id");
    admin
        .endSessions(Principal.of(ctx), id, RequestInfo.of(ctx))
        .onSuccess(
            v -> {
              if (Responses.answered(ctx)) {
                return;
              }
              ctx.response().putHeader("Cache-Control", "no-store");
              Responses.noContent(ctx);
            })
        .onFailure(ctx::fail);
  }

  private void listAudit(RoutingContext ctx) {
    QueryParams q = QueryParams.of(ctx, AUDIT_QUERY);
    String userParam = q.string("user_id", 36, 36);
    UUID userId = null;
    if (userParam != null) {
      try {
        userId = UUID.fromString(userParam);
      } catch (IllegalArgumentException e) {
        q.error("user_id", "invalid_uuid", "'user_id' must be a UUID.");
      }
    }
    String event = q.string("event", 1, 64);
    OffsetDateTime from = q.timestamp("from");
    OffsetDateTime before = q.timestamp("before");
    int limit = q.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    String cursor = q.string("cursor", 1, 1024);
    q.validate();
    String filters = fingerprint(userId, event, from, before);
    Long beforeId = null;
    if (cursor != null) {
      beforeId = Long.parseLong(cursors.decode(cursor, "audit", filters, 1).get(0));
    }
    admin
        .listAudit(
            new AdminRepository.AuditFilter(userId, event, from, before), beforeId, limit + 1)
        .onSuccess(
            page -> {
              JsonArray items = new JsonArray();
              page.stream().limit(limit).forEach(e -> items.add(eventJson(e)));
              JsonObject body = new JsonObject().put("items", items);
              if (page.size() > limit) {
                body.put(
                    "next_cursor",
                    cursors.encode(
                        "audit", filters, List.of(Long.toString(page.get(limit - 1).id()))));
              } else {
                body.putNull("next_cursor");
              }
              json(ctx, 200, body);
            })
        .onFailure(ctx::fail);
  }

  /** An optional role: one of this deployment's names, else 400 {@code unknown_role}. */
  private String role(Fields f) {
    String role = f.optionalString("role", 1, 32, false);
    if (role != null && !roleNames.contains(role)) {
      f.error(
          "role",
          "unknown_role",
          "'role' must be one of " + String.join(", ", roles.names()) + ".");
      return null;
    }
    return role;
  }

  /** The filters a cursor is bound to, in a form no two different filter sets share. */
  private static String fingerprint(Object... filters) {
    JsonArray canonical = new JsonArray();
    for (Object o : filters) {
      canonical.add(
          o == null
              ? null
              : o instanceof OffsetDateTime t
                  ? Long.toString(Timestamps.toMicros(t))
                  : o.toString());
    }
    return canonical.encode();
  }

  static JsonObject accountJson(Account a) {
    return new JsonObject()
        .put("id", a.id().toString())
        .put("email", a.email())
        .put("display_name", a.displayName())
        .put("role", a.role())
        .put("disabled", a.disabled())
        .put("disabled_at", a.disabledAt() == null ? null : Timestamps.format(a.disabledAt()))
        .put("created_at", Timestamps.format(a.createdAt()))
        .put("updated_at", Timestamps.format(a.updatedAt()));
  }

  static JsonObject eventJson(AuditEvent e) {
    return new JsonObject()
        .put("id", e.id())
        .put("occurred_at", Timestamps.format(e.occurredAt()))
        .put("event", e.type())
        .put("user_id", e.userId() == null ? null : e.userId().toString())
        .put("session_id", e.sessionId() == null ? null : e.sessionId().toString())
        .put("ip", e.ip())
        .put("request_id", e.requestId())
        .put("details", e.details());
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (Responses.answered(ctx)) {
      return;
    }
    ctx.response().putHeader("Cache-Control", "no-store");
    Responses.json(ctx, status, body);
  }
}
