package dev.bulwark.ops;

import dev.bulwark.Services;
import dev.bulwark.http.Responses;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.CheckResult;
import io.vertx.ext.web.RoutingContext;

/** Liveness, readiness and status: what load balancers, orchestrators and humans poll. */
public final class OpsRoutes {
  private static final JsonObject LIVE = new JsonObject().put("status", "UP");
  private static final Buffer CONTRACT = ApiContract.load();

  private final Services services;
  private final Readiness readiness;

  public OpsRoutes(Services services, Readiness readiness) {
    this.services = services;
    this.readiness = readiness;
  }

  /** Liveness: the process runs and this event loop answers. Never touches dependencies. */
  public void health(RoutingContext ctx) {
    Responses.json(ctx, 200, LIVE);
  }

  /** Readiness: both dependencies answer; 503 while either is down or while draining for shutdown. */
  public void ready(RoutingContext ctx) {
    readiness.check()
        .onSuccess(result -> {
          boolean draining = services.draining().get();
          boolean up = Boolean.TRUE.equals(result.getUp()) && !draining;
          JsonObject checks = new JsonObject();
          for (CheckResult c : result.getChecks()) {
            JsonObject data = c.getData() == null ? new JsonObject() : c.getData().copy();
            checks.put(c.getId(), data.put("status", Boolean.TRUE.equals(c.getUp()) ? "UP" : "DOWN"));
          }
          JsonObject body = new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", checks);
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
    var config = services.config();
    JsonObject features = new JsonObject()
        .put("rate_limit", config.rateLimit().enabled())
        .put("docs", config.docsEnabled())
        .put("embedded_services", services.embeddedServices());
    Responses.json(ctx, 200, new JsonObject()
        .put("name", "bulwark")
        .put("version", Version.current())
        .put("environment", config.environment().id())
        .put("uptime_seconds", (System.currentTimeMillis() - services.startedAtMillis()) / 1000)
        .put("features", features));
  }
}
