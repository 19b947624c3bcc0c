package dev.bulwark.attachments;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;

/**
 * A chunked upload over a plain socket, written piece by piece: what a phone on a slow network
 * sends, with the server's answer read whenever it comes (even before the body is finished).
 */
final class RawUpload implements AutoCloseable {
  private final NetClient client;
  private final NetSocket socket;
  private final Buffer received = Buffer.buffer();
  private volatile boolean closed;

  RawUpload(TestServer server, String path, String bearer, String boundary) {
    client = server.vertx().createNetClient();
    socket = Await.result(client.connect(server.port(), "127.0.0.1"));
    socket.handler(
        b -> {
          synchronized (received) {
            received.appendBuffer(b);
          }
        });
    socket.closeHandler(v -> closed = true);
    socket.write(
        "POST "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
            + bearer
            + "\r\nContent-Type: multipart/form-data; boundary="
            + boundary
            + "\r\nTransfer-Encoding: chunked\r\n\r\n");
  }

  /** Sends one chunk (nothing once the server has closed the connection). */
  void send(Buffer data) {
    if (!closed && data.length() > 0) {
      Await.result(
          socket.write(
              Buffer.buffer(Integer.toHexString(data.length()) + "\r\n")
                  .appendBuffer(data)
                  .appendString("\r\n")));
    }
  }

  boolean answered() {
    synchronized (received) {
      return received.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n") || closed;
    }
  }

  /** The response's status, waiting up to {@code seconds} for it. */
  int status(int seconds) throws InterruptedException {
    for (int i = 0; i < seconds * 10 && !answered(); i++) {
      Thread.sleep(100);
    }
    String text = text();
    if (!text.startsWith("HTTP/1.1 ")) {
      throw new AssertionError("no response; received: " + text);
    }
    return Integer.parseInt(text.substring(9, 12));
  }

  /** The problem's code, once the whole body is in (or the connection closed). */
  String problemCode(int seconds) throws InterruptedException {
    for (int i = 0; i < seconds * 10 && !closed && !text().contains("}"); i++) {
      Thread.sleep(100);
    }
    String text = text();
    String body = text.substring(text.indexOf("\r\n\r\n") + 4);
    return new JsonObject(body.substring(body.indexOf('{'), body.lastIndexOf('}') + 1))
        .getString("code");
  }

  private String text() {
    synchronized (received) {
      return received.toString(StandardCharsets.ISO_8859_1);
    }
  }

  @Override
  public void close() {
    socket.close();
    client.close();
  }
}
