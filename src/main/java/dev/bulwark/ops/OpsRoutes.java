package dev.bulwark.ops;

import dev.bulwark.http.Access;
import dev.bulwark.http.ApiRouter;
import dev.bulwark.http.Responses;
import dev.bulwark.http.RouteModule;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;

/** Liveness, readiness and status: what load balancers, orchestrators and humans poll. */
public final class OpsRoutes implements RouteModule {
  private static final JsonObject LIVE = new JsonObject().put("status", "UP");
  private static final Buffer CONTRACT = ApiContract.load();

  private final Readiness readiness;
  private final BooleanSupplier draining;
  private final Status status;

  /**
   * What {@code /api/status} tells: the environment, which features are on, and since when the
   * process runs.
   */
  public record Status(
      String environment,
      boolean rateLimit,
      boolean docs,
      boolean embeddedServices,
      long startedAtMillis) {}

  public OpsRoutes(Readiness readiness, BooleanSupplier draining, Status status) {
    this.readiness = readiness;
    this.draining = draining;
    this.status = status;
  }

  @Override
  public void mount(ApiRouter api) {
    api.route(HttpMethod.GET, "/health", Access.OPS, this::health);
    api.route(HttpMethod.GET, "/ready", Access.OPS, this::ready);
    api.route(HttpMethod.GET, "/api/status", Access.PUBLIC, this::status);
    api.route(HttpMethod.GET, "/openapi.yaml", Access.PUBLIC, this::contract);
  }

  /** Liveness: the process runs and this event loop answers. Never touches dependencies. */
  public void health(RoutingContext ctx) {
    Responses.json(ctx, 200, LIVE);
  }

  /**
   * Readiness: both dependencies answer; 503 while either is down or while draining for shutdown.
   */
  public void ready(RoutingContext ctx) {
    readiness
        .check()
        .onSuccess(
            result -> {
              boolean draining = this.draining.getAsBoolean();
              boolean up = Boolean.TRUE.equals(result.getUp()) && !draining;
              JsonObject checks = new JsonObject();
              for (CheckResult c : result.getChecks()) {
                JsonObject data = c.getData() == null ? new JsonObject() : c.getData().copy();
                checks.put(
                    c.getId(), data.put("status", Boolean.TRUE.equals(c.getUp()) ? "UP" : "DOWN"));
              }
              JsonObject body =
                  new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks);
              if (draining) {
                body.put("draining", true);
              }
              Responses.json(ctx, up ? 200 : 503, body);
            })
        .onFailure(ctx::fail);
  }

  /** The OpenAPI document, read once at start-up. */
  public void contract(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/yaml; charset=utf-8").end(CONTRACT);
  }

  public void status(RoutingContext ctx) {
    JsonObject features =
        new JsonObject()
            .put("rate_limit", status.rateLimit())
            .put("docs", status.docs())
            .put("embedded_services", status.embeddedServices());
    Responses.json(
        ctx,
        200,
        new JsonObject()
            .put("name", "bulwark")
            .put("version", Version.current())
            .put("environment", status.environment())
            .put("uptime_seconds", (System.currentTimeMillis() - status.startedAtMillis()) / 1000)
            .put("features", features));
  }
}
