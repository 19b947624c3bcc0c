package dev.bulwark.attachments;

import dev.bulwark.config.StorageConfig;
import dev.bulwark.core.Failure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One multipart upload, streamed into the blob store as it arrives: the first KiB decides the type
 * before a byte is stored, the type's structure check follows the rest (and leaves out what is
 * stripped), and a running SHA-256 and size describe what was stored. The body is paused whenever
 * the store falls behind. Over the size limit, past the deadline, below the minimum transfer rate,
 * or on any refusal, the partial blob is removed before the failure is reported.
 */
final class UploadReceiver {
  private static final String PART_NAME = "file";

  private final Vertx vertx;
  private final HttpServerRequest request;
  private final StorageConfig config;
  private final BlobStore store;
  private final AttachmentService.Slot slot;
  private final Promise<StoredFile> result = Promise.promise();

  private HttpServerFileUpload upload;
  private Future<BlobStore.Sink> opening;
  private BlobStore.Sink sink;
  private Buffer head = Buffer.buffer();
  private FileType type;
  private StructureCheck check;
  private MessageDigest sha256;
  private String filename;
  private long received;
  private long windowBytes;
  private long stored;
  private boolean uploadEnded;
  private boolean requestEnded;
  private boolean done;
  private long deadlineTimer = -1;
  private long rateTimer = -1;

  UploadReceiver(
      Vertx vertx,
      HttpServerRequest request,
      StorageConfig config,
      BlobStore store,
      AttachmentService.Slot slot) {
    this.vertx = vertx;
    this.request = request;
    this.config = config;
    this.store = store;
    this.slot = slot;
  }

  /** Reads the body; completes with the stored file, or fails with the refusal. */
  Future<StoredFile> receive() {
    request.setExpectMultipart(true);
    request.uploadHandler(this::onUpload);
    request.exceptionHandler(err -> fail(malformed()));
    request.endHandler(
        v -> {
          requestEnded = true;
          if (upload == null) {
            fail(Failure.invalid("missing_file", "The body carries no part named 'file'."));
          } else {
            maybeCommit();
          }
        });
    deadlineTimer =
        vertx.setTimer(
            config.uploadDeadline().toMillis(),
            t ->
                fail(
                    Failure.of(
                        Failure.Kind.TIMED_OUT,
                        "upload_timeout",
                        "The upload did not complete within "
                            + config.uploadDeadline().toSeconds()
                            + " s.")));
    long window = config.rateWindow().toMillis();
    long minimum = config.minBytesPerSecond() * window / 1000;
    if (minimum > 0) {
      rateTimer =
          vertx.setPeriodic(
              window,
              t -> {
                if (windowBytes < minimum) {
                  fail(
                      Failure.of(
                          Failure.Kind.TIMED_OUT,
                          "upload_too_slow",
                          "The upload arrived slower than "
                              + config.minBytesPerSecond()
                              + " bytes per second."));
                }
                windowBytes = 0;
              });
    }
    request.resume();
    return result.future();
  }

  private void onUpload(HttpServerFileUpload part) {
    if (done || upload != null) {
      part.handler(b -> {});
      fail(Failure.invalid("too_many_files", "The body must carry exactly one file."));
      return;
    }
    upload = part;
    part.exceptionHandler(err -> fail(malformed()));
    try {
      if (!PART_NAME.equals(part.name())) {
        throw Failure.invalid("missing_file", "The file must be sent in a part named 'file'.");
      }
      filename = Filenames.check(part.filename());
    } catch (Failure f) {
      part.handler(b -> {});
      fail(f);
      return;
    }
    part.pause();
    part.handler(this::onData);
    part.endHandler(v -> onUploadEnd());
    opening = store.create(slot.storageKey());
    opening.onComplete(
        ar -> {
          if (ar.failed()) {
            fail(ar.cause());
          } else if (!done) {
            sink = ar.result();
            part.resume();
          }
        });
  }

  private void onData(Buffer data) {
    if (done) {
      return;
    }
    received += data.length();
    windowBytes += data.length();
    if (received > config.maxFileSize()) {
      fail(tooLarge(config.maxFileSize()));
      return;
    }
    try {
      if (type == null) {
        head.appendBuffer(data);
        if (head.length() >= Sniffer.HEAD) {
          begin();
        }
      } else {
        store(data);
      }
    } catch (RuntimeException e) {
      fail(e);
    }
  }

  private void begin() {
    type = Sniffer.sniff(head, config.allowedTypes());
    if (!Sniffer.agrees(upload.contentType(), type)) {
      throw Sniffer.unsupported("The file is not of the type it was sent as.");
    }
    check = StructureCheck.of(type, !config.keepImageMetadata());
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    Buffer first = head;
    head = null;
    store(first);
  }

  private void store(Buffer data) {
    Buffer out = check.accept(data);
    if (out.length() == 0) {
      return;
    }
    sha256.update(out.getBytes());
    stored += out.length();
    sink.write(out).onFailure(this::fail);
    if (sink.writeQueueFull()) {
      upload.pause();
      sink.drainHandler(
          () -> {
            if (!done) {
              upload.resume();
            }
          });
    }
  }

  private void onUploadEnd() {
    if (done) {
      return;
    }
    uploadEnded = true;
    try {
      if (type == null) {
        if (head.length() == 0) {
          throw Failure.invalid("empty_file", "The file is empty.");
        }
        begin();
      }
      check.finish();
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    maybeCommit();
  }

  private void maybeCommit() {
    if (done || !uploadEnded || !requestEnded) {
      return;
    }
    done = true;
    cancelTimers();
    String sha = HexFormat.of().formatHex(sha256.digest());
    StoredFile file = new StoredFile(slot.id(), slot.storageKey(), filename, type, stored, sha);
    sink.commit()
        .onSuccess(v -> result.complete(file))
        .onFailure(err -> sink.abort().onComplete(x -> result.fail(err)));
  }

  private void fail(Throwable err) {
    if (done) {
      return;
    }
    done = true;
    cancelTimers();
    if (upload != null) {
      upload.handler(b -> {});
      upload.resume();
    }
    Future<Void> removed =
        opening == null
            ? Future.succeededFuture()
            : opening.compose(BlobStore.Sink::abort).recover(e -> Future.succeededFuture());
    removed.onComplete(v -> result.fail(err));
  }

  private void cancelTimers() {
    if (deadlineTimer != -1) {
      vertx.cancelTimer(deadlineTimer);
    }
    if (rateTimer != -1) {
      vertx.cancelTimer(rateTimer);
    }
  }

  static Failure tooLarge(long max) {
    return Failure.of(
        Failure.Kind.TOO_LARGE,
        "file_too_large",
        "The file is larger than " + max + " bytes, the most allowed.");
  }

  private static Failure malformed() {
    return Failure.invalid("malformed_body", "The multipart body could not be read.");
  }
}
