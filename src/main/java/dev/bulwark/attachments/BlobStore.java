package dev.bulwark.attachments;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;
import java.util.List;

/**
 * Where attachment bytes live, by key ({@code u/<user>/<uuid>}); the client's filename is never
 * part of a key. Every operation is non-blocking.
 */
public interface BlobStore {
  /** A new blob being written; nothing is visible under {@code key} until {@link Sink#commit}. */
  Future<Sink> create(String key);

  /** Sends bytes {@code [offset, offset + length)} of the blob as the response body. */
  Future<Void> send(String key, HttpServerResponse response, long offset, long length);

  /** Whether a committed blob exists under {@code key}. */
  Future<Boolean> exists(String key);

  /** Removes the blob (nothing if there is none). */
  Future<Void> delete(String key);

  /** Keys of committed blobs last written before {@code before}, at most {@code limit}. */
  Future<List<String>> list(Instant before, int limit);

  /**
   * A URL the client may fetch the blob from directly (with this type and disposition), or {@code
   * null} when the bytes are sent through this server.
   */
  default String downloadUrl(String key, String contentType, String disposition) {
    return null;
  }

  /** Removes temporary files that uploads ended by a crash left, older than {@code before}. */
  default Future<Integer> removeStaleSpool(Instant before) {
    return Future.succeededFuture(0);
  }

  /** A blob being written: back-pressured writes, then commit or abort. */
  interface Sink {
    Future<Void> write(Buffer data);

    boolean writeQueueFull();

    void drainHandler(Runnable drained);

    /** Makes the blob visible under its key. */
    Future<Void> commit();

    /** Drops what was written; safe to call after a failure, and more than once. */
    Future<Void> abort();
  }
}
