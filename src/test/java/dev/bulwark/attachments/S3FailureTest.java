package dev.bulwark.attachments;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.StorageConfig;
import dev.bulwark.core.Failure;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.LogCapture;
import dev.bulwark.testing.TestS3;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The S3 backend when S3 is not what it should be — wrong credentials, or gone mid-run — and its
 * presigned downloads. A server of its own ({@code storage.s3.presignedGet: true}) on an s3proxy of
 * its own, which the last test kills.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3FailureTest {
  private static final String BOUNDARY = AttachmentContract.BOUNDARY;
  private static TestS3 s3;
  private static TestServer server;
  private static TestUser user;

  @BeforeAll
  static void start() {
    s3 = TestS3.start();
    S3Buckets.create(s3, "presigned");
    Map<String, String> env = TestServer.baseEnv();
    env.putAll(s3.env("presigned"));
    server =
        TestServer.start(
            env,
            Map.of(
                "storage.s3.presignedGet", "true",
                "storage.s3.presignTtl", "2m",
                "storage.s3.spoolPath", "target/s3-failure-test-spool"));
    user = TestUsers.signup(server);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private static String task() {
    HttpResponse<Buffer> r =
        server.send(
            TestUsers.as(server, user, HttpMethod.POST, "/api/v1/tasks"),
            new JsonObject().put("title", "s3"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static HttpResponse<Buffer> upload(String taskId, String filename, Buffer file) {
    return server.send(
        TestUsers.as(server, user, HttpMethod.POST, "/api/v1/tasks/" + taskId + "/attachments")
            .putHeader("Content-Type", "multipart/form-data; boundary=" + BOUNDARY),
        AttachmentContract.end(AttachmentContract.multipart("file", filename, null, file)));
  }

  private static java.net.http.HttpResponse<byte[]> fetch(String url, String range)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (range != null) {
      b.header("Range", range);
    }
    return HttpClient.newHttpClient()
        .send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  @Order(1)
  void aDownloadRedirectsToAPresignedUrlThatKeepsTheTypeAndDisposition() throws Exception {
    JsonObject a = upload(task(), "Straße.png", SampleFiles.png()).bodyAsJsonObject();
    HttpResponse<Buffer> r =
        server.send(
            TestUsers.as(server, user, HttpMethod.GET, "/api/v1/attachments/" + a.getString("id"))
                .followRedirects(false));
    assertEquals(302, r.statusCode(), r.bodyAsString());
    assertEquals("private, no-store", r.getHeader("Cache-Control"));
    String url = r.getHeader("Location");
    assertTrue(url.startsWith(s3.endpoint() + "/presigned/u/" + user.id() + "/"), url);
    assertTrue(url.contains("X-Amz-Expires=120"), url);

    java.net.http.HttpResponse<byte[]> direct = fetch(url, null);
    assertEquals(200, direct.statusCode(), new String(direct.body()));
    assertArrayEquals(SampleFiles.png().getBytes(), direct.body());
    assertEquals("image/png", direct.headers().firstValue("Content-Type").orElse(null));
    assertEquals(
        AttachmentRoutes.disposition("Straße.png"),
        direct.headers().firstValue("Content-Disposition").orElse(null));
    java.net.http.HttpResponse<byte[]> part = fetch(url, "bytes=1-3");
    assertEquals(206, part.statusCode());
    assertEquals("PNG", new String(part.body()));

    String tampered =
        url.replace("response-content-type=image%2Fpng", "response-content-type=text%2Fhtml");
    assertFalse(tampered.equals(url));
    assertEquals(403, fetch(tampered, null).statusCode(), "the type is signed into the URL");
  }

  @Test
  @Order(2)
  void wrongCredentialsFailTheUploadWithS3sErrorCodeLoggedAndNoSpoolLeft() {
    StorageConfig.S3 good = server.app().config().storage().s3();
    StorageConfig.S3 wrong =
        new StorageConfig.S3(
            good.bucket(),
            good.region(),
            good.endpoint(),
            good.accessKeyId(),
            "not-the-secret",
            null,
            true,
            false,
            good.presignTtl(),
            good.timeout(),
            good.spoolPath());
    BlobStore store = new S3BlobStore(server.vertx(), wrong);
    String key = "u/" + UUID.randomUUID() + "/" + UUID.randomUUID();
    LogCapture logs = LogCapture.attach();
    try {
      BlobStore.Sink sink = Await.result(store.create(key));
      Await.result(sink.write(SampleFiles.png()));
      Exception e = assertThrows(Exception.class, () -> Await.result(sink.commit()));
      Failure f = assertInstanceOf(Failure.class, rootOf(e));
      assertEquals("storage_unavailable", f.code());
      assertTrue(
          logs.lines().stream()
              .anyMatch(l -> l.contains("S3 PUT of " + key) && l.contains("SignatureDoesNotMatch")),
          logs.lines()::toString);
      assertFalse(logs.lines().toString().contains("not-the-secret"));
    } finally {
      logs.detach();
    }
    assertFalse(Files.exists(S3BlobStore.spoolFile(wrong, key)), "the spool file is removed");
  }

  private static Throwable rootOf(Throwable e) {
    Throwable t = e;
    while (!(t instanceof Failure) && t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }

  @Test
  @Order(3)
  void s3GoneMidRunIs503AndLeavesNoRowNoSlotNoSpool() {
    String taskId = task();
    s3.kill();
    HttpResponse<Buffer> r = upload(taskId, "late.pdf", SampleFiles.pdf());
    assertProblem(r, 503, "storage_unavailable");
    assertFalse(r.bodyAsString().contains("Connection refused"), r.bodyAsString());
    assertEquals(
        0,
        server
            .send(TestUsers.as(server, user, HttpMethod.GET, "/api/v1/tasks/" + taskId))
            .bodyAsJsonObject()
            .getJsonArray("attachments")
            .size());
    long rows =
        Await.result(
                server
                    .app()
                    .pg()
                    .preparedQuery(
                        "SELECT (SELECT count(*) FROM attachments WHERE task_id = $1)"
                            + " + (SELECT count(*) FROM attachment_uploads WHERE user_id = $2)")
                    .execute(Tuple.of(UUID.fromString(taskId), user.id())))
            .iterator()
            .next()
            .getLong(0);
    assertEquals(0, rows, "no attachment row, and the upload slot is released");
    Path spool = server.app().config().storage().s3().spoolPath();
    assertTrue(
        !Files.isDirectory(spool) || spool.toFile().list().length == 0,
        "no spooled upload is left");
  }
}
