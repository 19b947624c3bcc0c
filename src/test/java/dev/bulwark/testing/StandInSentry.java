package dev.bulwark.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A real HTTP server standing in for Sentry: takes envelopes at {@code /api/<project>/envelope/}
 * (the DSN is {@link #dsn()}), keeps every event item with the raw envelope text it came in, and
 * answers as the test says: 200, another status, or never.
 */
public final class StandInSentry implements AutoCloseable {
  public static final int HANG = -1;
  public static final String PROJECT = "42";

  /** One event item: its JSON, and the whole envelope's text (to look for what must not be). */
  public record Event(JsonObject json, String envelope) {
    public String tag(String name) {
      JsonObject tags = json.getJsonObject("tags");
      return tags == null ? null : tags.getString(name);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final int port;
  public final List<Event> events = new CopyOnWriteArrayList<>();
  public final List<String> paths = new CopyOnWriteArrayList<>();
  public volatile int behaviour = 200;

  public StandInSentry() {
    port = TestServices.freePort();
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              paths.add(req.path());
                              int status = behaviour;
                              if (status == HANG) {
                                return;
                              }
                              if (req.path().equals("/api/" + PROJECT + "/envelope/")) {
                                String text =
                                    decode(body, "gzip".equals(req.getHeader("Content-Encoding")));
                                events.addAll(parse(text));
                              }
                              req.response().setStatusCode(status).end("{}");
                            }));
    Await.result(server.listen(port, "127.0.0.1"));
  }

  private static String decode(Buffer body, boolean gzip) {
    if (!gzip) {
      return body.toString(StandardCharsets.UTF_8);
    }
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body.getBytes()))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Envelope: a header line, then (item header line, payload line) pairs. */
  private static List<Event> parse(String envelope) {
    List<Event> out = new CopyOnWriteArrayList<>();
    String[] lines = envelope.split("\n");
    for (int i = 1; i + 1 < lines.length; i += 2) {
      JsonObject header = new JsonObject(lines[i]);
      if ("event".equals(header.getString("type"))) {
        out.add(new Event(new JsonObject(lines[i + 1]), envelope));
      }
    }
    return out;
  }

  public String dsn() {
    return "http://publickey@127.0.0.1:" + port + "/" + PROJECT;
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
