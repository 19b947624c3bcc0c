package dev.bulwark.http;

import io.vertx.core.Future;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.Router;

/**
 * What one HTTP verticle serves: its router, built on the verticle's own event loop (so clients
 * created for it stay there), and what to release when the verticle stops.
 */
public interface Endpoint {
  Router router();

  /** Told each connection the verticle's server accepts (the HTTP meters count them). */
  default void connected(HttpConnection connection) {}

  /** Releases what was created for this verticle alone (timers, per-verticle clients). */
  Future<Void> close();
}
