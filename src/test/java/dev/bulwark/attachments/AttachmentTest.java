package dev.bulwark.attachments;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;

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
}
