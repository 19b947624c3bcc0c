package dev.bulwark.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The API server's HTTP meters, recorded by the router: {@code vertx_http_server_requests_total}
 * and {@code vertx_http_server_response_time_seconds} per route template, method and status, {@code
 * vertx_http_server_active_requests} and {@code vertx_http_server_active_connections} (the names
 * Vert.x's own HTTP server metrics use, which this replaces).
 *
 * <p>Why not Vert.x's: per request it looked its meters up by building tag lists and hashing them
 * ({@code Meter.Id} equality was ≈1 % of the event loops' samples on the list route), and kept two
 * byte-size histograms nobody read. Here each route resolves its meters once per (method, status)
 * and keeps them in an array: a request costs one map put, one counter increment and one timer
 * record. Requests that match no route are labelled route {@code ""}, as Vert.x labels them.
 *
 * <p>One instance per process; {@link #routes} gives each router (one per event loop) its own
 * caches, so nothing is shared between loops but the meters themselves.
 */
public final class HttpServerMeters {
  /** No registry: nothing is recorded and no handler is added. */
  public static final HttpServerMeters NONE = new HttpServerMeters(null);

  private static final String ROUTE_KEY = "bulwark.routeMeters";
  private static final HttpMethod[] METHODS = {
    HttpMethod.GET,
    HttpMethod.HEAD,
    HttpMethod.POST,
    HttpMethod.PUT,
    HttpMethod.PATCH,
    HttpMethod.DELETE,
    HttpMethod.OPTIONS,
    HttpMethod.TRACE,
    HttpMethod.CONNECT
  };
  private static final String OTHER_METHOD = "OTHER";

  private final MeterRegistry registry;
  private final LongAdder activeRequests = new LongAdder();
  private final LongAdder activeConnections = new LongAdder();

  public HttpServerMeters(MeterRegistry registry) {
    this.registry = registry;
    if (registry != null) {
      Gauge.builder("vertx.http.server.active.requests", activeRequests, LongAdder::sum)
          .description("requests in flight")
          .register(registry);
      Gauge.builder("vertx.http.server.active.connections", activeConnections, LongAdder::sum)
          .description("open client connections")
          .register(registry);
    }
  }

  public boolean enabled() {
    return registry != null;
  }

  /** Counts {@code connection} among the open ones until it closes. */
  public void connected(HttpConnection connection) {
    if (registry != null) {
      activeConnections.increment();
      connection.closeHandler(v -> activeConnections.decrement());
    }
  }

  /** The meters of one router: call on the event loop that router serves, and use only there. */
  public Routes routes() {
    return new Routes();
  }

  /** One router's view: the request handler, and each route's meters. */
  public final class Routes {
    private final RouteMeters unmatched = new RouteMeters("");

    /** The platform handler that starts every request's measurement; null when disabled. */
    public PlatformHandler onRequest() {
      return registry == null ? null : this::start;
    }

    /** The handler that tells a request which route serves it; null when disabled. */
    public PlatformHandler onRoute(String template) {
      if (registry == null) {
        return null;
      }
      RouteMeters route = new RouteMeters(template);
      return ctx -> {
        ctx.put(ROUTE_KEY, route);
        ctx.next();
      };
    }

    private void start(RoutingContext ctx) {
      activeRequests.increment();
      ctx.addEndHandler(new Exchange(ctx, System.nanoTime()));
      ctx.next();
    }

    /** One request being measured; recorded when its response ends. */
    private final class Exchange implements Handler<AsyncResult<Void>> {
      private final RoutingContext ctx;
      private final long start;

      Exchange(RoutingContext ctx, long start) {
        this.ctx = ctx;
        this.start = start;
      }

      @Override
      public void handle(AsyncResult<Void> ended) {
        activeRequests.decrement();
        if (!ctx.response().ended()) {
          return; // the connection went away first: no status to count it under
        }
        RouteMeters route = ctx.get(ROUTE_KEY);
        (route == null ? unmatched : route)
            .of(ctx.request().method(), ctx.response().getStatusCode())
            .record(System.nanoTime() - start);
      }
    }
  }

  /** One route's meters by method and status, resolved on first use; confined to one loop. */
  private final class RouteMeters {
    private final String template;
    private final Recorder[][] byMethod = new Recorder[METHODS.length + 1][];

    RouteMeters(String template) {
      this.template = template;
    }

    Recorder of(HttpMethod method, int status) {
      int m = methodIndex(method);
      Recorder[] byStatus = byMethod[m];
      if (byStatus == null) {
        byStatus = new Recorder[600];
        byMethod[m] = byStatus;
      }
      int s = status >= 0 && status < byStatus.length ? status : 0;
      Recorder r = byStatus[s];
      if (r == null) {
        r = new Recorder(template, m < METHODS.length ? METHODS[m].name() : OTHER_METHOD, status);
        byStatus[s] = r;
      }
      return r;
    }
  }

  private static int methodIndex(HttpMethod method) {
    for (int i = 0; i < METHODS.length; i++) {
      if (METHODS[i].equals(method)) {
        return i;
      }
    }
    return METHODS.length;
  }

  /** The counter and timer of one (route, method, status). */
  private final class Recorder {
    private final Counter requests;
    private final Timer time;

    Recorder(String route, String method, int status) {
      String code = Integer.toString(status);
      requests =
          Counter.builder("vertx.http.server.requests")
              .description("requests per route, method and status")
              .tags("route", route, "method", method, "code", code)
              .register(registry);
      time =
          Timer.builder("vertx.http.server.response.time")
              .description("latency per route, method and status")
              .tags("route", route, "method", method, "code", code)
              .publishPercentileHistogram()
              .register(registry);
    }

    void record(long nanos) {
      requests.increment();
      time.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
