package dev.bulwark.attachments;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import java.time.Duration;
import java.util.Map;

/**
 * A blob store a client can upload to directly (S3, with a presigned PUT), and from which the
 * object is read back to be checked before it becomes an attachment.
 */
interface DirectTarget {
  /** A PUT URL and the headers to send with it; S3 refuses any other length, type or body. */
  record PresignedPut(String url, Map<String, String> headers) {}

  PresignedPut presignPut(String key, String contentType, long size, String sha256, Duration ttl);

  /** The object's length, or -1 when there is none. */
  Future<Long> size(String key);

  /** The object's bytes, paused until the caller sets its handlers and resumes. */
  Future<ReadStream<Buffer>> read(String key);
}
