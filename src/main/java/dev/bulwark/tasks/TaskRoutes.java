package dev.bulwark.tasks;

import dev.bulwark.auth.Principal;
import dev.bulwark.http.Access;
import dev.bulwark.http.ApiRouter;
import dev.bulwark.http.IdempotencyKeys;
import dev.bulwark.http.JsonBody;
import dev.bulwark.http.PathParams;
import dev.bulwark.http.Responses;
import dev.bulwark.http.RouteModule;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.TreeMap;
import java.util.UUID;

/**
 * {@code /api/v1/tasks}: parse and validate (every 4xx before any I/O), call one service method,
 * answer. Each instance belongs to one HTTP verticle (its cursor signer is not thread-safe).
 */
public final class TaskRoutes implements RouteModule {
  static final String BASE = "/api/v1/tasks";
  private static final CharSequence ETAG = HttpHeaders.createOptimized("ETag");
  private static final CharSequence LOCATION = HttpHeaders.createOptimized("Location");
  private static final CharSequence REPLAYED = HttpHeaders.createOptimized("Idempotent-Replayed");
  private static final CharSequence TRUE = HttpHeaders.createOptimized("true");

  private final TaskService tasks;
  private final TaskCursors cursors;

  public TaskRoutes(TaskService tasks, TaskCursors cursors) {
    this.tasks = tasks;
    this.cursors = cursors;
  }

  @Override
  public void mount(ApiRouter api) {
    api.route(HttpMethod.GET, BASE, Access.USER, this::list);
    api.route(HttpMethod.POST, BASE, Access.USER, this::create);
    api.route(HttpMethod.GET, BASE + "/:id", Access.USER, this::get);
    api.route(HttpMethod.PATCH, BASE + "/:id", Access.USER, this::update);
    api.route(HttpMethod.DELETE, BASE + "/:id", Access.USER, this::delete);
  }

  private void list(RoutingContext ctx) {
    UUID userId = Principal.of(ctx).userId();
    TaskRequests.ListRequest request = TaskRequests.listRequest(ctx);
    TaskListQuery query =
        request.cursor() == null
            ? request.query()
            : request.query().after(cursors.decode(request.cursor(), userId, request.query()));
    tasks
        .list(userId, query)
        .onSuccess(page -> Responses.json(ctx, 200, TaskJson.page(page.items(), page.nextCursor())))
        .onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = JsonBody.object(ctx);
    NewTask task = TaskRequests.newTask(body);
    String key = IdempotencyKeys.of(ctx);
    TaskService.IdempotencyKey idempotency =
        key == null ? null : new TaskService.IdempotencyKey(key, requestHash(body));
    tasks
        .create(Principal.of(ctx).userId(), task, idempotency)
        .onSuccess(
            created -> {
              if (Responses.answered(ctx)) {
                return;
              }
              HttpServerResponse response =
                  ctx.response()
                      .putHeader(LOCATION, BASE + "/" + created.id())
                      .putHeader(ETAG, created.etag());
              if (created.replayed()) {
                response.putHeader(REPLAYED, TRUE);
              }
              Responses.json(ctx, 201, created.body());
            })
        .onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    UUID id = taskId(ctx);
    VersionPrecondition ifNoneMatch =
        VersionPrecondition.parse(ctx.request().headers().getAll("If-None-Match"), "If-None-Match");
    tasks
        .get(Principal.of(ctx).userId(), id)
        .onSuccess(
            t -> {
              if (Responses.answered(ctx)) {
                return;
              }
              ctx.response().putHeader(ETAG, t.etag());
              if (ifNoneMatch != null && ifNoneMatch.matches(t.version())) {
                ctx.response().setStatusCode(304).end();
              } else {
                Responses.json(ctx, 200, TaskJson.task(t));
              }
            })
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    UUID id = taskId(ctx);
    VersionPrecondition ifMatch = ifMatch(ctx);
    TaskPatch patch = TaskRequests.patch(JsonBody.mergePatch(ctx));
    tasks
        .update(Principal.of(ctx).userId(), id, patch, ifMatch)
        .onSuccess(
            t -> {
              if (Responses.answered(ctx)) {
                return;
              }
              ctx.response().putHeader(ETAG, t.etag());
              Responses.json(ctx, 200, TaskJson.task(t));
            })
        .onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    UUID id = taskId(ctx);
    VersionPrecondition ifMatch = ifMatch(ctx);
    tasks
        .delete(Principal.of(ctx).userId(), id, ifMatch)
        .onSuccess(v -> Responses.noContent(ctx))
        .onFailure(ctx::fail);
  }

  private static VersionPrecondition ifMatch(RoutingContext ctx) {
    return VersionPrecondition.parse(ctx.request().headers().getAll("If-Match"), "If-Match");
  }

  static UUID taskId(RoutingContext ctx) {
    return PathParams.uuid(ctx, "id");
  }

  /**
   * SHA-256 of the body with its members sorted: the same request sent with other spacing or order
   * matches.
   */
  static byte[] requestHash(JsonObject body) {
    String canonical = new JsonObject(new TreeMap<>(body.getMap())).encode();
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(canonical.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
