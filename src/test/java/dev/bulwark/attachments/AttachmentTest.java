package dev.bulwark.attachments;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** {@link AttachmentContract} with blobs as local files. */
@BulwarkTest(
    env = {"MAX_FILE_SIZE=1MiB"},
    props = {
      "storage.localPath=target/attachment-test-blobs",
      "storage.maxPerTask=3",
      "storage.concurrentUploadsPerUser=2",
      "storage.quotaPerUser=4KiB",
      "storage.rateWindow=1s",
      "storage.minTransferRate=256"
    })
class AttachmentTest extends AttachmentContract {
  @BulwarkTest.Server private static TestServer server;

  @Override
  TestServer server() {
    return server;
  }

  @Test
  void directUploadsNeedTheS3Backend() {
    String taskId = task(alice);
    assertProblem(
        server.send(
            TestUsers.as(
                server, alice, HttpMethod.POST, "/api/v1/tasks/" + taskId + "/attachments/uploads"),
            new JsonObject()
                .put("filename", "a.png")
                .put("content_type", "image/png")
                .put("size", 10)
                .put("sha256", "0".repeat(64))),
        409,
        "direct_upload_unavailable");
  }
}
