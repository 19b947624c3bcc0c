package dev.bulwark;

import dev.bulwark.http.ApiException;
import dev.bulwark.http.ApiRouter;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * Wires the feature packages into the route table for one HTTP verticle instance: which handler authenticates,
 * which gate runs the per-request Redis round trip, and each feature's routes.
 */
final class FeatureSet implements ApiRouter.Features {
  @SuppressWarnings("unused")
  private final Vertx vertx;
  @SuppressWarnings("unused")
  private final Services services;

  FeatureSet(Vertx vertx, Services services) {
    this.vertx = vertx;
    this.services = services;
  }

  @Override
  public Handler<RoutingContext> authenticate() {
    return ctx -> ctx.fail(ApiException.unauthorized("unauthorized", "Authentication is required."));
  }

  @Override
  public Handler<RoutingContext> gate() {
    return RoutingContext::next;
  }

  @Override
  public void mount(ApiRouter api) {
    // feature routes are mounted here
  }
}
