package dev.bulwark.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP server standing in for an SMS gateway: records every request it is sent, and answers
 * as the test tells it per recipient (a status, or no answer at all).
 */
public final class StandInGateway implements AutoCloseable {
  /** What the gateway does with a request: answer this status, or (-1) never answer. */
  public static final int HANG = -1;

  public record Received(
      String to, String text, String from, String authorization, String contentType) {}

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final int port;
  public final List<Received> received = new CopyOnWriteArrayList<>();
  public final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  public volatile Function<String, Integer> behaviour = to -> 200;

  public StandInGateway() {
    port = TestServices.freePort();
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              String type = req.getHeader("Content-Type");
                              String to;
                              String text;
                              String from;
                              if (type != null && type.startsWith("application/json")) {
                                JsonObject json = body.toJsonObject();
                                to = json.getString("to");
                                text = json.getString("text");
                                from = json.getString("from");
                              } else {
                                Map<String, String> form = form(body.toString());
                                to = form.get("To");
                                text = form.get("Body");
                                from = form.get("From");
                              }
                              attempts
                                  .computeIfAbsent(to, k -> new AtomicInteger())
                                  .incrementAndGet();
                              int status = behaviour.apply(to);
                              if (status == HANG) {
                                return;
                              }
                              if (status / 100 == 2) {
                                received.add(
                                    new Received(
                                        to, text, from, req.getHeader("Authorization"), type));
                              }
                              req.response()
                                  .setStatusCode(status)
                                  .end("{\"echo\":\"" + text + "\"}");
                            }));
    Await.result(server.listen(port, "127.0.0.1"));
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new ConcurrentHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            java.net.URLDecoder.decode(
                pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8),
            java.net.URLDecoder.decode(
                pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  public String url() {
    return "http://127.0.0.1:" + port + "/send";
  }

  public int attempts(String to) {
    AtomicInteger n = attempts.get(to);
    return n == null ? 0 : n.get();
  }

  public long deliveredTo(String to) {
    return received.stream().filter(r -> to.equals(r.to())).count();
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
