package dev.bulwark;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Steady keep-alive load on 127.0.0.1, the way a load balancer sends it: a fixed number of clients,
 * each with one persistent connection carrying one request after another. A separate health check
 * polls {@code /ready} every 100 ms; once it has seen the backend down, clients open no new
 * connection (they would go to another instance) but keep using the one they have, as a balancer's
 * pooled upstream connections do. Every request's fate is counted: answered, or cut (sent on an
 * open connection that then closed or reset without a response). Bounded in requests and time; it
 * stops by itself.
 */
final class KeepAliveLoad {
  private static final long READY_POLL_MS = 100;

  private final Vertx vertx;
  private final int port;
  private final String path;
  private final int clients;
  private final long deadline;
  private final long maxRequests;
  private final HttpClientAgent http;
  private final HttpClientAgent probe;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong toldToClose = new AtomicLong();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger refusedConnects = new AtomicInteger();
  private final Map<String, AtomicInteger> cut = new ConcurrentHashMap<>();
  private volatile boolean backendUp = true;
  private long probeTimer = -1;

  /** What happened to every request. */
  record Fates(
      long sent,
      long answered,
      int cut,
      Map<String, Integer> cutBy,
      long toldToClose,
      int connections,
      int refusedConnects) {}

  KeepAliveLoad(Vertx vertx, int port, String path, int clients, long maxMillis, long maxRequests) {
    this.vertx = vertx;
    this.port = port;
    this.path = path;
    this.clients = clients;
    this.deadline = System.currentTimeMillis() + maxMillis;
    this.maxRequests = maxRequests;
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setPipelining(false)
                .setConnectTimeout(2000));
    this.probe =
        vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false).setConnectTimeout(1000));
  }

  /** Starts every client; the future completes when the last one has stopped. */
  Future<Fates> run() {
    probeTimer = vertx.setPeriodic(READY_POLL_MS, id -> pollReady());
    List<Future<Void>> done = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Promise<Void> finished = Promise.promise();
      connect(finished);
      done.add(finished.future());
    }
    return Future.join(done)
        .transform(
            ignored -> {
              vertx.cancelTimer(probeTimer);
              return Future.succeededFuture(fates());
            })
        .eventually(() -> http.close().eventually(probe::close));
  }

  Fates fates() {
    Map<String, Integer> by = new java.util.TreeMap<>();
    cut.forEach((k, v) -> by.put(k, v.get()));
    return new Fates(
        sent.get(),
        answered.get(),
        by.values().stream().mapToInt(Integer::intValue).sum(),
        by,
        toldToClose.get(),
        connections.get(),
        refusedConnects.get());
  }

  private boolean mayContinue() {
    return System.currentTimeMillis() < deadline && sent.get() < maxRequests;
  }

  private void pollReady() {
    probe
        .request(HttpMethod.GET, port, "127.0.0.1", "/ready")
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(
            ar -> {
              if (ar.failed() || ar.result() != 200) {
                backendUp = false;
              }
            });
  }

  private void connect(Promise<Void> finished) {
    if (!backendUp || !mayContinue()) {
      finished.tryComplete();
      return;
    }
    http.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(port))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                refusedConnects.incrementAndGet();
                finished.tryComplete();
                return;
              }
              connections.incrementAndGet();
              next(ar.result(), finished);
            });
  }

  private void next(HttpClientConnection connection, Promise<Void> finished) {
    if (!mayContinue()) {
      connection.close().onComplete(ignored -> finished.tryComplete());
      return;
    }
    sent.incrementAndGet();
    connection
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setURI(path)
                .setHost("127.0.0.1")
                .setPort(port))
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(body -> resp))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                cut.computeIfAbsent(reason(ar.cause()), k -> new AtomicInteger()).incrementAndGet();
                connection.close();
                connect(finished);
                return;
              }
              answered.incrementAndGet();
              HttpClientResponse resp = ar.result();
              if ("close".equalsIgnoreCase(resp.getHeader(HttpHeaders.CONNECTION))) {
                toldToClose.incrementAndGet();
                connection.close();
                connect(finished);
              } else {
                next(connection, finished);
              }
            });
  }

  private static String reason(Throwable t) {
    String m = t.getMessage() == null ? "" : t.getMessage();
    return t.getClass().getSimpleName()
        + (m.isEmpty() ? "" : ": " + (m.length() > 60 ? m.substring(0, 60) : m));
  }
}
