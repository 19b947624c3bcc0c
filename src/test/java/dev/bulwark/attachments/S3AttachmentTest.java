package dev.bulwark.attachments;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestS3;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link AttachmentContract} with blobs in an S3 bucket (s3proxy in its own process, checking every
 * request's Signature V4): the same uploads, ranges, refusals, limits and sweep as on local files;
 * and uploads straight to the bucket through presigned PUTs.
 */
class S3AttachmentTest extends AttachmentContract {
  private static TestS3 s3;
  private static TestServer server;

  @BeforeAll
  static void start() {
    s3 = TestS3.start();
    S3Buckets.create(s3, "attachments");
    Map<String, String> env = TestServer.baseEnv();
    env.putAll(s3.env("attachments"));
    env.put("MAX_FILE_SIZE", "1MiB");
    Map<String, String> props = new HashMap<>();
    for (String p : PROPS) {
      props.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1));
    }
    props.put("storage.s3.spoolPath", "target/s3-attachment-test-spool");
    server = TestServer.start(env, props);
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

  @Override
  TestServer server() {
    return server;
  }

  // --- direct-to-S3 uploads ----------------------------------------------------------------

  private JsonObject startDirect(TestUser user, String taskId, String name, String type, Buffer f) {
    HttpResponse<Buffer> r = direct(user, taskId, name, type, f.length(), sha256(f));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private HttpResponse<Buffer> direct(
      TestUser user, String taskId, String name, String type, long size, String sha) {
    return server.send(
        TestUsers.as(
            server, user, HttpMethod.POST, "/api/v1/tasks/" + taskId + "/attachments/uploads"),
        new JsonObject()
            .put("filename", name)
            .put("content_type", type)
            .put("size", size)
            .put("sha256", sha));
  }

  private HttpResponse<Buffer> completeDirect(TestUser user, String taskId, String uploadId) {
    return server.send(
        TestUsers.as(
            server,
            user,
            HttpMethod.POST,
            "/api/v1/tasks/" + taskId + "/attachments/uploads/" + uploadId + "/complete"));
  }

  private static String sha256(Buffer b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.getBytes()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** PUTs {@code body} to the presigned URL with the given headers, as a plain HTTP client. */
  private static int put(JsonObject started, Map<String, String> override, Buffer body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(started.getString("url")))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body.getBytes()));
    Map<String, String> headers = new HashMap<>();
    started.getJsonObject("headers").forEach(e -> headers.put(e.getKey(), (String) e.getValue()));
    headers.putAll(override);
    // the JDK client sets Content-Length from the body itself
    headers.remove("Content-Length");
    headers.forEach(b::header);
    return HttpClient.newHttpClient()
        .send(b.build(), java.net.http.HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void aDirectUploadBecomesAnAttachmentOnceAndIsServed() throws Exception {
    String taskId = task(alice);
    Buffer pdf = SampleFiles.pdf();
    JsonObject started = startDirect(alice, taskId, "scan.pdf", "application/pdf", pdf);
    assertEquals("PUT", started.getString("method"));
    assertTrue(started.getString("expires_at").endsWith("Z"));
    assertEquals(
        Set.of("Content-Length", "Content-Type", "x-amz-content-sha256"),
        started.getJsonObject("headers").fieldNames());
    assertEquals(200, put(started, Map.of(), pdf));

    HttpResponse<Buffer> done = completeDirect(alice, taskId, started.getString("upload_id"));
    assertEquals(201, done.statusCode(), done.bodyAsString());
    JsonObject a = done.bodyAsJsonObject();
    assertEquals("scan.pdf", a.getString("filename"));
    assertEquals("application/pdf", a.getString("content_type"));
    assertEquals(sha256(pdf), a.getString("sha256"));
    HttpResponse<Buffer> again = completeDirect(alice, taskId, started.getString("upload_id"));
    assertEquals(200, again.statusCode(), again.bodyAsString());
    assertEquals(a, again.bodyAsJsonObject(), "completing twice answers the same attachment");

    assertArrayEquals(
        pdf.getBytes(), get(alice, "/api/v1/attachments/" + a.getString("id")).body().getBytes());
    JsonObject t = get(alice, "/api/v1/tasks/" + taskId).bodyAsJsonObject();
    assertEquals(1, t.getJsonArray("attachments").size());
    assertEquals(a, t.getJsonArray("attachments").getJsonObject(0));
  }

  @Test
  void s3RefusesAPutOfAnotherSizeTypeOrBody() throws Exception {
    TestUser user = TestUsers.signup(server);
    String taskId = task(user);
    Buffer png = SampleFiles.png();
    JsonObject started = startDirect(user, taskId, "p.png", "image/png", png);
    Buffer longer = png.copy().appendString("x");
    assertEquals(403, put(started, Map.of(), longer), "another length breaks the signature");
    assertEquals(403, put(started, Map.of("Content-Type", "text/html"), png), "another type");
    assertProblem(
        completeDirect(user, taskId, started.getString("upload_id")), 409, "upload_incomplete");

    // same length, another body: servers that check the body against x-amz-content-sha256 (MinIO)
    // refuse it; s3proxy 2.7.0 takes it, and completion refuses it by its SHA-256 (and removes it),
    // so the client can PUT again
    Buffer other = png.copy();
    other.setByte(png.length() - 1, (byte) (png.getByte(png.length() - 1) ^ 1));
    assertEquals(200, put(started, Map.of(), other));
    assertProblem(
        completeDirect(user, taskId, started.getString("upload_id")), 422, "upload_mismatch");
    assertEquals(0, blobsOf(user));
    assertEquals(200, put(started, Map.of(), png));
    assertEquals(201, completeDirect(user, taskId, started.getString("upload_id")).statusCode());
  }

  @Test
  void aPolyglotUploadedDirectlyIsRefusedAtCompleteAndRemoved() throws Exception {
    TestUser mallory = TestUsers.signup(server);
    String taskId = task(mallory);
    Buffer polyglot = SampleFiles.png().appendBuffer(SampleFiles.zipTrailer());
    JsonObject started = startDirect(mallory, taskId, "p.png", "image/png", polyglot);
    assertEquals(200, put(started, Map.of(), polyglot));
    assertEquals(1, blobsOf(mallory));
    assertProblem(
        completeDirect(mallory, taskId, started.getString("upload_id")),
        422,
        "unsupported_file_type");
    assertEquals(0, blobsOf(mallory), "the refused object is removed");

    // declared a PDF, uploaded a PNG of that size and hash: the sniffed type decides
    Buffer png = SampleFiles.png();
    JsonObject liar = startDirect(mallory, taskId, "x.pdf", "application/pdf", png);
    assertEquals(200, put(liar, Map.of(), png));
    assertProblem(
        completeDirect(mallory, taskId, liar.getString("upload_id")), 422, "upload_mismatch");
    assertEquals(0, blobsOf(mallory));
    assertEquals(
        0,
        get(mallory, "/api/v1/tasks/" + taskId)
            .bodyAsJsonObject()
            .getJsonArray("attachments")
            .size());
  }

  @Test
  void directUploadsAreRefusedUpFrontAndAreTheOwnersOnly() throws Exception {
    String taskId = task(alice);
    Buffer png = SampleFiles.png();
    String sha = sha256(png);
    assertProblem(
        direct(alice, taskId, "big.pdf", "application/pdf", 2L * 1024 * 1024, sha),
        413,
        "file_too_large");
    assertProblem(
        direct(alice, taskId, "a.html", "text/html", 10, sha), 415, "unsupported_file_type");
    assertProblem(
        direct(alice, taskId, "a.jpg", "image/jpeg", 10, sha), 409, "direct_upload_unavailable");
    assertProblem(direct(alice, taskId, "a.png", "image/png", 10, "abc"), 400, "validation_failed");
    assertProblem(direct(alice, taskId, "../a.png", "image/png", 10, sha), 400, "invalid_filename");
    assertProblem(
        direct(alice, taskId, "a.png", "image/png", 100L * 1024, sha),
        409,
        "storage_quota_exceeded");

    JsonObject started = startDirect(alice, taskId, "p.png", "image/png", png);
    assertEquals(200, put(started, Map.of(), png));
    TestUser bob = TestUsers.signup(server);
    String uploadId = started.getString("upload_id");
    assertProblem(completeDirect(bob, taskId, uploadId), 404, "not_found");
    assertProblem(completeDirect(bob, task(bob), uploadId), 404, "not_found");
    assertEquals(201, completeDirect(alice, taskId, uploadId).statusCode());
  }

  @Test
  void anExpiredUnfinishedDirectUploadIsSwept() throws Exception {
    TestUser late = TestUsers.signup(server);
    String taskId = task(late);
    Buffer png = SampleFiles.png();
    JsonObject started = startDirect(late, taskId, "p.png", "image/png", png);
    assertEquals(200, put(started, Map.of(), png));
    Pool pg = server.app().pg();
    OrphanSweep sweep = new OrphanSweep(server.vertx(), pg, server.app().config().storage());
    Await.result(sweep.runOnce(Instant.now()));
    assertEquals(1, blobsOf(late), "an upload in progress is left alone");

    Await.result(sweep.runOnce(Instant.now().plus(Duration.ofDays(1))));
    assertEquals(0, blobsOf(late), "its object is removed once it expired");
    long rows =
        Await.result(
                pg.preparedQuery(
                        "SELECT count(*) FROM attachment_direct_uploads WHERE user_id = $1")
                    .execute(Tuple.of(late.id())))
            .iterator()
            .next()
            .getLong(0);
    assertEquals(0, rows);
    assertProblem(completeDirect(late, taskId, started.getString("upload_id")), 404, "not_found");
  }

  @Test
  void aSpoolFileACrashLeftIsSweptAndAFreshOneIsNot() throws Exception {
    Path spool = server.app().config().storage().s3().spoolPath();
    Files.createDirectories(spool);
    Path stale = spool.resolve("u-" + UUID.randomUUID() + "-" + UUID.randomUUID() + ".spool");
    Path fresh = spool.resolve("u-" + UUID.randomUUID() + "-" + UUID.randomUUID() + ".spool");
    Files.write(stale, new byte[] {1});
    Files.write(fresh, new byte[] {1});
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofDays(1))));
    Pool pg = server.app().pg();
    Await.result(
        new OrphanSweep(server.vertx(), pg, server.app().config().storage())
            .runOnce(Instant.now()));
    assertFalse(Files.exists(stale), "a spool file older than an upload's deadline is removed");
    assertTrue(Files.exists(fresh), "an upload in progress keeps its spool file");
    Files.delete(fresh);
  }
}
