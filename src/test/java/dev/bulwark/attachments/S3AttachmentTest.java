package dev.bulwark.attachments;

import dev.bulwark.testing.TestS3;
import dev.bulwark.testing.TestServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link AttachmentContract} with blobs in an S3 bucket (s3proxy in its own process, checking every
 * request's Signature V4): the same uploads, ranges, refusals, limits and sweep as on local files.
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
}
