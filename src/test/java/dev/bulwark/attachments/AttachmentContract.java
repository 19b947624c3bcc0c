package dev.bulwark.attachments;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.TasksConfig;
import dev.bulwark.tasks.TombstonePurger;
import dev.bulwark.testing.Await;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Uploads over real HTTP, whatever the blob store: the happy path, serving with ranges, deletion,
 * every bad input, the limits and the orphan sweep. Each backend's test class runs all of them
 * against a server of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AttachmentContract {
  static final String BOUNDARY = "----bulwark-test-boundary";

  /** The server under test, with MAX_FILE_SIZE=1MiB and {@link #PROPS}. */
  abstract TestServer server();

  /** The limits every backend's server runs with. */
  static final String[] PROPS = {
    "storage.maxPerTask=3",
    "storage.concurrentUploadsPerUser=2",
    "storage.quotaPerUser=4KiB",
    "storage.rateWindow=1s",
    "storage.minTransferRate=256"
  };

  TestUser alice;

  @BeforeEach
  void signUpAlice() {
    if (alice == null) {
      alice = TestUsers.signup(server());
    }
  }

  BlobStore store() {
    return BlobStores.create(server().vertx(), server().app().config().storage());
  }

  String task(TestUser user) {
    HttpResponse<Buffer> r =
        server()
            .send(
                TestUsers.as(server(), user, HttpMethod.POST, "/api/v1/tasks"),
                new JsonObject().put("title", "with photos"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static Buffer multipart(String name, String filename, String type, Buffer content) {
    Buffer b = Buffer.buffer();
    b.appendString("--" + BOUNDARY + "\r\n");
    b.appendString(
        "Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + filename + "\"\r\n",
        "UTF-8");
    if (type != null) {
      b.appendString("Content-Type: " + type + "\r\n");
    }
    b.appendString("\r\n").appendBuffer(content).appendString("\r\n");
    return b;
  }

  static Buffer end(Buffer parts) {
    return parts.appendString("--" + BOUNDARY + "--\r\n");
  }

  HttpRequest<Buffer> uploadRequest(TestUser user, String taskId) {
    return TestUsers.as(server(), user, HttpMethod.POST, "/api/v1/tasks/" + taskId + "/attachments")
        .putHeader("Content-Type", "multipart/form-data; boundary=" + BOUNDARY);
  }

  HttpResponse<Buffer> upload(TestUser user, String taskId, String filename, Buffer file) {
    return server().send(uploadRequest(user, taskId), end(multipart("file", filename, null, file)));
  }

  JsonObject uploaded(TestUser user, String taskId, String filename, Buffer file) {
    HttpResponse<Buffer> r = upload(user, taskId, filename, file);
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  HttpResponse<Buffer> get(TestUser user, String path) {
    return server().send(TestUsers.as(server(), user, HttpMethod.GET, path));
  }

  /** The user's blobs in the store, committed or partial, and spooled uploads. */
  long blobsOf(TestUser user) {
    String prefix = "u/" + user.id() + "/";
    long stored =
        Await.result(store().list(Instant.now().plus(Duration.ofDays(1)), 100_000)).stream()
            .filter(k -> k.startsWith(prefix))
            .count();
    Path spool = server().app().config().storage().s3().spoolPath();
    if (!Files.isDirectory(spool)) {
      return stored;
    }
    try (Stream<Path> files = Files.list(spool)) {
      return stored
          + files
              .filter(f -> f.getFileName().toString().startsWith(prefix.replace('/', '-')))
              .count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aJpegIsStoredWithoutItsMetadataAndServedSafely() throws Exception {
    String taskId = task(alice);
    JsonObject a = uploaded(alice, taskId, "Straße photo.jpg", SampleFiles.jpeg());
    assertEquals("Straße photo.jpg", a.getString("filename"));
    assertEquals("image/jpeg", a.getString("content_type"));
    assertTrue(a.getLong("size") < SampleFiles.jpeg().length(), "metadata stripped");
    HttpResponse<Buffer> r = get(alice, "/api/v1/attachments/" + a.getString("id"));
    assertEquals(200, r.statusCode());
    byte[] body = r.body().getBytes();
    assertEquals(a.getLong("size"), body.length);
    assertFalse(new String(body, StandardCharsets.ISO_8859_1).contains(SampleFiles.GPS));
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    assertEquals(sha, a.getString("sha256"));
    assertEquals("image/jpeg", r.getHeader("Content-Type"));
    assertEquals("nosniff", r.getHeader("X-Content-Type-Options"));
    assertEquals("sandbox", r.getHeader("Content-Security-Policy"));
    assertTrue(
        r.getHeader("Content-Disposition").startsWith("attachment; filename=\"Stra_e photo.jpg\""));
    assertTrue(
        r.getHeader("Content-Disposition").contains("filename*=UTF-8''Stra%C3%9Fe%20photo.jpg"));
    assertEquals("\"" + sha + "\"", r.getHeader("ETag"));

    HttpResponse<Buffer> part =
        server()
            .send(
                TestUsers.as(
                        server(), alice, HttpMethod.GET, "/api/v1/attachments/" + a.getString("id"))
                    .putHeader("Range", "bytes=2-5"));
    assertEquals(206, part.statusCode());
    assertEquals("bytes 2-5/" + body.length, part.getHeader("Content-Range"));
    assertArrayEquals(java.util.Arrays.copyOfRange(body, 2, 6), part.body().getBytes());
    HttpResponse<Buffer> same =
        server()
            .send(
                TestUsers.as(
                        server(), alice, HttpMethod.GET, "/api/v1/attachments/" + a.getString("id"))
                    .putHeader("If-None-Match", r.getHeader("ETag")));
    assertEquals(304, same.statusCode());
  }

  @Test
  void theTaskListsItsAttachmentsAndDeleteRemovesThem() {
    String taskId = task(alice);
    int before = get(alice, "/api/v1/tasks/" + taskId).bodyAsJsonObject().getInteger("version");
    JsonObject a = uploaded(alice, taskId, "scan.pdf", SampleFiles.pdf());
    assertEquals("application/pdf", a.getString("content_type"));
    JsonObject t = get(alice, "/api/v1/tasks/" + taskId).bodyAsJsonObject();
    assertEquals(before + 1, t.getInteger("version"), "delta sync sees the change");
    JsonArray listed = t.getJsonArray("attachments");
    assertEquals(1, listed.size());
    assertEquals(a, listed.getJsonObject(0));
    JsonArray inList =
        get(alice, "/api/v1/tasks?limit=100").bodyAsJsonObject().getJsonArray("items").stream()
            .map(JsonObject.class::cast)
            .filter(o -> o.getString("id").equals(taskId))
            .findFirst()
            .orElseThrow()
            .getJsonArray("attachments");
    assertEquals(listed, inList);

    HttpResponse<Buffer> gone =
        server()
            .send(
                TestUsers.as(
                    server(),
                    alice,
                    HttpMethod.DELETE,
                    "/api/v1/attachments/" + a.getString("id")));
    assertEquals(204, gone.statusCode(), gone.bodyAsString());
    assertProblem(get(alice, "/api/v1/attachments/" + a.getString("id")), 404, "not_found");
    JsonObject after = get(alice, "/api/v1/tasks/" + taskId).bodyAsJsonObject();
    assertEquals(0, after.getJsonArray("attachments").size());
    assertEquals(before + 2, after.getInteger("version"));
  }

  @Test
  void anotherUsersAttachmentIsNotFound() {
    TestUser bob = TestUsers.signup(server());
    JsonObject a = uploaded(alice, task(alice), "p.png", SampleFiles.png());
    String path = "/api/v1/attachments/" + a.getString("id");
    assertProblem(get(bob, path), 404, "not_found");
    assertProblem(
        server().send(TestUsers.as(server(), bob, HttpMethod.DELETE, path)), 404, "not_found");
    assertProblem(upload(bob, task(alice), "x.png", SampleFiles.png()), 404, "not_found");
    assertEquals(200, get(alice, path).statusCode());
  }

  @Test
  void anIdempotencyKeyReplaysTheUpload() {
    String taskId = task(alice);
    Buffer body = end(multipart("file", "w.webp", "image/webp", SampleFiles.webp()));
    HttpResponse<Buffer> first =
        server().send(uploadRequest(alice, taskId).putHeader("Idempotency-Key", "k-1"), body);
    assertEquals(201, first.statusCode(), first.bodyAsString());
    HttpResponse<Buffer> again =
        server().send(uploadRequest(alice, taskId).putHeader("Idempotency-Key", "k-1"), body);
    assertEquals(201, again.statusCode());
    assertEquals("true", again.getHeader("Idempotent-Replayed"));
    assertEquals(first.bodyAsJsonObject(), again.bodyAsJsonObject());
    assertEquals(
        1,
        get(alice, "/api/v1/tasks/" + taskId)
            .bodyAsJsonObject()
            .getJsonArray("attachments")
            .size());
  }

  @Test
  void badFilesAreRefusedAndLeaveNoBlob() {
    TestUser mallory = TestUsers.signup(server());
    String taskId = task(mallory);
    String html = "<html><script>alert(document.cookie)</script></html>";
    Buffer jpegHead = Buffer.buffer(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff});
    assertProblem(
        upload(mallory, taskId, "a.jpg", jpegHead.copy().appendString(html)),
        415,
        "unsupported_file_type");
    assertProblem(
        upload(mallory, taskId, "a.jpg", SampleFiles.jpeg().appendBuffer(SampleFiles.zipTrailer())),
        415,
        "unsupported_file_type");
    assertProblem(
        upload(mallory, taskId, "a.jpg", SampleFiles.jpeg().appendString("trailing")),
        415,
        "unsupported_file_type");
    assertProblem(
        upload(mallory, taskId, "photo.jpg", Buffer.buffer("MZ\u0090\0\3\0\0\0 PE executable")),
        415,
        "unsupported_file_type");
    assertProblem(
        upload(mallory, taskId, "x.svg", Buffer.buffer("<svg onload=\"alert(1)\"/>")),
        415,
        "unsupported_file_type");
    assertProblem(
        server()
            .send(
                uploadRequest(mallory, taskId),
                end(multipart("file", "a.png", "image/png", SampleFiles.pdf()))),
        415,
        "unsupported_file_type");
    assertProblem(upload(mallory, taskId, "e.png", Buffer.buffer()), 400, "empty_file");
    for (String name : new String[] {"../../etc/passwd", "..\\boot.ini", "x".repeat(256)}) {
      assertProblem(upload(mallory, taskId, name, SampleFiles.png()), 400, "invalid_filename");
    }
    // a 10,000-character name: Netty's multipart decoder refuses the part header itself
    for (String name : new String[] {"x".repeat(10_000)}) {
      HttpResponse<Buffer> r = upload(mallory, taskId, name, SampleFiles.png());
      assertEquals(400, r.statusCode(), r.bodyAsString());
      assertTrue(
          Set.of("invalid_filename", "malformed_body")
              .contains(r.bodyAsJsonObject().getString("code")),
          r.bodyAsString());
    }
    // NUL and other control characters: Netty's decoder turns them into spaces before the name
    // reaches the check; either way none is stored
    for (String name : new String[] {"a\u0000b.png", "a\u0007b.png"}) {
      HttpResponse<Buffer> r = upload(mallory, taskId, name, SampleFiles.png());
      if (r.statusCode() == 201) {
        assertEquals("a b.png", r.bodyAsJsonObject().getString("filename"));
        String id = r.bodyAsJsonObject().getString("id");
        assertEquals(
            204,
            server()
                .send(
                    TestUsers.as(server(), mallory, HttpMethod.DELETE, "/api/v1/attachments/" + id))
                .statusCode());
      } else {
        assertProblem(r, 400, "invalid_filename");
      }
    }
    assertProblem(
        server()
            .send(
                uploadRequest(mallory, taskId),
                end(
                    multipart("file", "a.png", null, SampleFiles.png())
                        .appendBuffer(multipart("file", "b.png", null, SampleFiles.png())))),
        400,
        "too_many_files");
    assertProblem(
        server().send(uploadRequest(mallory, taskId), end(Buffer.buffer())), 400, "missing_file");
    assertProblem(
        server()
            .send(
                uploadRequest(mallory, taskId),
                end(multipart("other", "a.png", null, SampleFiles.png()))),
        400,
        "missing_file");
    assertProblem(
        server()
            .send(
                TestUsers.as(
                        server(),
                        mallory,
                        HttpMethod.POST,
                        "/api/v1/tasks/" + taskId + "/attachments")
                    .putHeader("Content-Type", "image/png"),
                SampleFiles.png()),
        415,
        "unsupported_media_type");
    assertEquals(0, blobsOf(mallory), "no partial blob is left");
    assertEquals(
        0,
        get(mallory, "/api/v1/tasks/" + taskId)
            .bodyAsJsonObject()
            .getJsonArray("attachments")
            .size());
  }

  @Test
  void aFileOverTheLimitIs413WithOrWithoutContentLength() throws InterruptedException {
    TestUser mallory = TestUsers.signup(server());
    String taskId = task(mallory);
    Buffer big = SampleFiles.pdf().appendBuffer(Buffer.buffer(new byte[1024 * 1024 + 1]));
    assertProblem(upload(mallory, taskId, "big.pdf", big), 413, "file_too_large");

    String path = "/api/v1/tasks/" + taskId + "/attachments";
    try (RawUpload raw = new RawUpload(server(), path, mallory.bearer(), BOUNDARY)) {
      Buffer framing = multipart("file", "big.pdf", null, SampleFiles.pdf());
      raw.send(framing.getBuffer(0, framing.length() - 2));
      for (int i = 0; i < 40 && !raw.answered(); i++) {
        raw.send(Buffer.buffer(new byte[64 * 1024]));
      }
      assertEquals(413, raw.status(30));
      assertEquals("file_too_large", raw.problemCode(10));
    }
    assertEquals(0, blobsOf(mallory), "no partial blob is left");
  }

  @Test
  void aTrickleIsCutOff() throws Exception {
    TestUser slow = TestUsers.signup(server());
    String taskId = task(slow);
    String path = "/api/v1/tasks/" + taskId + "/attachments";
    try (RawUpload raw = new RawUpload(server(), path, slow.bearer(), BOUNDARY)) {
      Buffer framing = multipart("file", "slow.pdf", null, SampleFiles.pdf());
      raw.send(framing.getBuffer(0, framing.length() - 20));
      for (int i = 0; i < 30 && !raw.answered(); i++) {
        Thread.sleep(1000);
        raw.send(Buffer.buffer(" "));
      }
      assertEquals(408, raw.status(5));
      assertEquals("upload_too_slow", raw.problemCode(5));
    }
    assertEquals(0, blobsOf(slow));
  }

  @Test
  void limitsPerTaskAndConcurrentUploads() throws InterruptedException {
    TestUser busy = TestUsers.signup(server());
    String taskId = task(busy);
    for (int i = 0; i < 3; i++) {
      uploaded(busy, taskId, "p" + i + ".png", SampleFiles.png());
    }
    assertProblem(upload(busy, taskId, "p4.png", SampleFiles.png()), 409, "attachment_limit");

    String other = task(busy);
    String path = "/api/v1/tasks/" + other + "/attachments";
    try (RawUpload one = new RawUpload(server(), path, busy.bearer(), BOUNDARY);
        RawUpload two = new RawUpload(server(), path, busy.bearer(), BOUNDARY)) {
      Buffer framing = multipart("file", "open.pdf", null, SampleFiles.pdf());
      one.send(framing.getBuffer(0, 200));
      two.send(framing.getBuffer(0, 200));
      Thread.sleep(300); // both admitted; each holds its slot until the 1 s rate window ends it
      assertProblem(upload(busy, other, "third.png", SampleFiles.png()), 429, "too_many_uploads");
    }
  }

  @Test
  void aPurgedTasksBlobsAreSweptAndMissingBlobsReported() throws Exception {
    TestUser owner = TestUsers.signup(server());
    String taskId = task(owner);
    JsonObject a = uploaded(owner, taskId, "gone.png", SampleFiles.png());
    JsonObject kept = uploaded(owner, task(owner), "kept.png", SampleFiles.png());
    assertEquals(
        204,
        server()
            .send(TestUsers.as(server(), owner, HttpMethod.DELETE, "/api/v1/tasks/" + taskId))
            .statusCode());
    assertProblem(get(owner, "/api/v1/attachments/" + a.getString("id")), 404, "not_found");

    Pool pg = server().app().pg();
    Await.result(
        pg.preparedQuery("UPDATE tasks SET deleted_at = now() - interval '31 days' WHERE id = $1")
            .execute(Tuple.of(UUID.fromString(taskId))));
    TasksConfig tasks = server().app().config().tasks();
    Await.result(new TombstonePurger(server().vertx(), pg, tasks).runOnce());
    String blob = "u/" + owner.id() + "/" + a.getString("id");
    String keptBlob = "u/" + owner.id() + "/" + kept.getString("id");
    BlobStore store = store();
    assertTrue(Await.result(store.exists(blob)), "the purge removes rows; the sweep, blobs");
    String missing =
        "u/"
            + owner.id()
            + "/"
            + uploaded(owner, task(owner), "m.png", SampleFiles.png()).getString("id");
    Await.result(store.delete(missing));

    // a day from now, every blob here is older than an upload's deadline
    OrphanSweep.Swept swept =
        Await.result(
            new OrphanSweep(server().vertx(), pg, server().app().config().storage())
                .runOnce(Instant.now().plus(Duration.ofDays(1))));
    assertFalse(Await.result(store.exists(blob)), "an orphan blob is removed");
    assertTrue(Await.result(store.exists(keptBlob)), "a blob its row holds stays");
    assertTrue(swept.blobsRemoved() >= 1 && swept.rowsWithoutBlob() >= 1, swept.toString());
  }

  @Test
  void theStorageQuotaCountsWhatIsStored() {
    TestUser hoarder = TestUsers.signup(server());
    String taskId = task(hoarder);
    JsonObject first = uploaded(hoarder, taskId, "one.jpg", SampleFiles.jpeg());
    assertTrue(first.getLong("size") * 2 > 4096, "two of them exceed the 4 KiB quota");
    assertProblem(
        upload(hoarder, taskId, "two.jpg", SampleFiles.jpeg()), 409, "storage_quota_exceeded");
    assertEquals(1, blobsOf(hoarder), "the refused upload's blob is removed");
    assertEquals(
        1,
        get(hoarder, "/api/v1/tasks/" + taskId)
            .bodyAsJsonObject()
            .getJsonArray("attachments")
            .size());
  }
}
