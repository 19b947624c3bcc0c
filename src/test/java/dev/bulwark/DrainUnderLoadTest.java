package dev.bulwark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shutdown under steady keep-alive load: clients behind a balancer keep their connections while
 * /ready turns 503; by the time the listener closes they must have been told ({@code Connection:
 * close}) to move off, so no request is cut without a response.
 */
class DrainUnderLoadTest {
  private static final Logger log = LoggerFactory.getLogger(DrainUnderLoadTest.class);
  private static final int CLIENTS = 16;

  @Test
  void noRequestIsCutWhenTheListenerClosesUnderKeepAliveLoad() throws Exception {
    Map<String, String> env = TestServer.baseEnv();
    TestServer server =
        TestServer.start(env, Map.of("shutdown.drainDelay", "2s", "shutdown.gracePeriod", "10s"));
    Vertx clientVertx = Vertx.vertx();
    try {
      KeepAliveLoad load =
          new KeepAliveLoad(clientVertx, server.port(), "/api/status", CLIENTS, 20_000, 2_000_000);
      Future<KeepAliveLoad.Fates> fates = load.run();
      for (int i = 0; i < 150 && load.fates().answered() < 4 * CLIENTS; i++) {
        Thread.sleep(100);
      }
      assertTrue(
          load.fates().answered() >= 4 * CLIENTS,
          "load is flowing before the stop: " + load.fates());

      server.app().stop().await(30, TimeUnit.SECONDS);
      KeepAliveLoad.Fates f = fates.await(30, TimeUnit.SECONDS);
      log.info("drain under load: {}", f);

      assertEquals(0, f.cut(), "requests cut without a response: " + f);
      assertEquals(f.sent(), f.answered(), "every request sent was answered: " + f);
      assertTrue(
          f.toldToClose() >= CLIENTS, "each client was told to move off its connection: " + f);
    } finally {
      clientVertx.close().await(10, TimeUnit.SECONDS);
      server.close();
    }
  }

  @Test
  void whileDrainingAKeepAliveConnectionIsAnsweredWithConnectionCloseAndThenClosed()
      throws Exception {
    TestServer server = TestServer.start(TestServer.baseEnv(), Map.of("shutdown.drainDelay", "3s"));
    Future<Void> stopped = null;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = socket.getOutputStream();
      String request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

      out.write(request.getBytes(StandardCharsets.US_ASCII));
      Map<String, String> first = readResponse(in);
      assertEquals("HTTP/1.1 200 OK", first.get(":status"));
      assertNull(first.get("connection"), "kept alive before the drain");

      stopped = server.app().stop();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      Map<String, String> draining = readResponse(in);
      assertEquals("HTTP/1.1 200 OK", draining.get(":status"), "still served while draining");
      assertEquals("close", draining.get("connection"));
      assertEquals(-1, in.read(), "the server closes the connection after saying so");
    } finally {
      if (stopped != null) {
        stopped.await(30, TimeUnit.SECONDS);
      }
      server.close();
    }
  }

  @Test
  void aResponseWrittenAfterTheDrainBeganSaysCloseEvenIfItsRequestCameBefore() throws Exception {
    Map<String, String> env = TestServer.baseEnv();
    env.put("BCRYPT_ROUNDS", "14");
    TestServer server = TestServer.start(env, Map.of("shutdown.drainDelay", "10s"));
    Future<Void> stopped = null;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(30_000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = socket.getOutputStream();
      // the route warmed up on this connection first, so the next request is routed the moment it
      // arrives
      out.write(signup("{}").getBytes(StandardCharsets.US_ASCII));
      assertEquals("HTTP/1.1 400 Bad Request", readResponse(in).get(":status"));

      out.write(
          signup(
                  "{\"email\":\"drain-"
                      + System.nanoTime()
                      + "@example.com\",\"password\":\"Tr0ub4dor&3-horse-staple\"}")
              .getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(300); // the request is in, hashing its password (seconds at cost 14)
      stopped = server.app().stop();
      Map<String, String> response = readResponse(in);
      assertEquals("HTTP/1.1 201 Created", response.get(":status"));
      assertEquals(
          "close", response.get("connection"), "the drain had begun when the response was written");
      assertEquals(-1, in.read());
    } finally {
      if (stopped != null) {
        stopped.await(30, TimeUnit.SECONDS);
      }
      server.close();
    }
  }

  private static String signup(String body) {
    return "POST /api/v1/auth/signup HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }

  /** Status line and headers (lower-cased names); the body is read by its Content-Length. */
  private static Map<String, String> readResponse(BufferedReader in) throws IOException {
    Map<String, String> headers = new HashMap<>();
    headers.put(":status", in.readLine());
    for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
      int colon = line.indexOf(':');
      headers.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    for (int i = 0; i < length; i++) {
      in.read();
    }
    return headers;
  }
}
