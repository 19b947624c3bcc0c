package dev.bulwark.attachments;

import dev.bulwark.config.StorageConfig;
import dev.bulwark.core.Failure;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Uploads that go from the client straight to S3. Starting one checks the declared size, type and
 * the limits, records what was declared, and hands out a presigned PUT bound to that length, type
 * and SHA-256. Completing it reads the object back through the same type sniffing and structure
 * checks as a streamed upload, compares it with what was declared, and then makes it an attachment
 * in the same transaction as a streamed one; a mismatch removes the object. JPEGs are refused when
 * metadata is to be stripped (the bytes never pass through this server to be stripped).
 */
final class DirectUploadService {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Failure NO_UPLOAD = Failure.notFound("No such upload.");

  private final AttachmentService attachments;
  private final StorageConfig config;
  private final DirectTarget target;

  /** A started upload, and the PUT the client is to make. */
  record Started(DirectUpload upload, DirectTarget.PresignedPut put) {}

  /** The attachment a completion made, or found made by an earlier one. */
  record Completed(Attachment attachment, boolean replayed) {}

  DirectUploadService(AttachmentService attachments) {
    this.attachments = attachments;
    this.config = attachments.config();
    this.target = attachments.store() instanceof DirectTarget t ? t : null;
  }

  private DirectTarget target() {
    if (target == null) {
      throw Failure.conflict(
          "direct_upload_unavailable",
          "Direct uploads need the S3 storage backend; upload through POST"
              + " /api/v1/tasks/{id}/attachments.");
    }
    return target;
  }

  Future<Started> start(
      UUID userId, UUID taskId, String filename, String contentType, long size, String sha256) {
    DirectTarget t = target();
    String name = Filenames.check(filename);
    String type = contentType == null ? "" : contentType.trim().toLowerCase(Locale.ROOT);
    if (!config.allowedTypes().contains(type)) {
      throw Failure.of(
          Failure.Kind.UNSUPPORTED_MEDIA_TYPE,
          "unsupported_file_type",
          "content_type must be one of " + config.allowedTypes() + ".");
    }
    if (type.equals(FileType.JPEG.mimeType()) && !config.keepImageMetadata()) {
      throw Failure.conflict(
          "direct_upload_unavailable",
          "JPEG photos are uploaded through POST /api/v1/tasks/{id}/attachments, which strips"
              + " their metadata (GPS) as they stream.");
    }
    if (size < 1) {
      throw Failure.validation("size", "invalid_size", "size must be at least 1.");
    }
    if (size > config.maxFileSize()) {
      throw UploadReceiver.tooLarge(config.maxFileSize());
    }
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      throw Failure.validation(
          "sha256", "invalid_sha256", "sha256 must be 64 lower-case hex digits.");
    }
    UUID attachmentId = UUID.randomUUID();
    Instant expires = Instant.now().plus(config.s3().presignTtl()).truncatedTo(ChronoUnit.MICROS);
    DirectUpload upload =
        new DirectUpload(
            UUID.randomUUID(),
            userId,
            taskId,
            attachmentId,
            "u/" + userId + "/" + attachmentId,
            name,
            type,
            size,
            sha256,
            expires);
    return attachments
        .admitDirect(upload)
        .map(
            v ->
                new Started(
                    upload,
                    t.presignPut(
                        upload.storageKey(), type, size, sha256, config.s3().presignTtl())));
  }

  Future<Completed> complete(UUID userId, UUID taskId, UUID uploadId) {
    DirectTarget t = target();
    return DirectUploadRepository.find(attachments.pg(), userId, taskId, uploadId)
        .compose(
            upload -> {
              if (upload == null) {
                return Future.failedFuture(NO_UPLOAD);
              }
              return AttachmentRepository.find(attachments.pg(), userId, upload.attachmentId())
                  .compose(
                      done ->
                          done != null
                              ? Future.succeededFuture(new Completed(done, true))
                              : verifyAndAttach(t, upload));
            });
  }

  private Future<Completed> verifyAndAttach(DirectTarget t, DirectUpload upload) {
    if (upload.expiresAt().isBefore(Instant.now())) {
      return Future.failedFuture(
          Failure.gone("upload_expired", "This upload expired; start another."));
    }
    String key = upload.storageKey();
    return t.size(key)
        .compose(
            size -> {
              if (size < 0) {
                return Future.failedFuture(
                    Failure.conflict(
                        "upload_incomplete", "Nothing was uploaded to this upload's URL yet."));
              }
              if (size != upload.size()) {
                return Future.failedFuture(mismatch("size"));
              }
              return t.read(key)
                  .compose(
                      body -> ObjectCheck.of(body, config.allowedTypes(), config.maxFileSize()))
                  .recover(DirectUploadService::asUnprocessable)
                  .compose(checked -> attach(upload, checked));
            })
        .recover(err -> removeRefused(key, err));
  }

  private Future<Completed> attach(DirectUpload upload, ObjectCheck.Checked checked) {
    if (checked.size() != upload.size()) {
      return Future.failedFuture(mismatch("size"));
    }
    if (!checked.type().mimeType().equals(upload.contentType())) {
      return Future.failedFuture(mismatch("type"));
    }
    if (!checked.sha256().equals(upload.sha256())) {
      return Future.failedFuture(mismatch("SHA-256"));
    }
    StoredFile file =
        new StoredFile(
            upload.attachmentId(),
            upload.storageKey(),
            upload.filename(),
            checked.type(),
            checked.size(),
            checked.sha256());
    return attachments
        .complete(upload.userId(), upload.taskId(), file, null)
        .map(a -> new Completed(a, false))
        .recover(
            err ->
                err instanceof PgException pg && "23505".equals(pg.getSqlState())
                    // a concurrent completion of the same upload won: answer what it made
                    ? AttachmentRepository.find(
                            attachments.pg(), upload.userId(), upload.attachmentId())
                        .compose(
                            a ->
                                a != null
                                    ? Future.succeededFuture(new Completed(a, true))
                                    : Future.failedFuture(err))
                        .recover(x -> Future.failedFuture(new Kept(x)))
                    : Future.failedFuture(err));
  }

  /**
   * Removes the object of a refused completion (not when S3 itself failed, nor when another
   * completion made it an attachment), then reports the refusal.
   */
  private Future<Completed> removeRefused(String key, Throwable err) {
    if (err instanceof Kept kept) {
      return Future.failedFuture(kept.getCause());
    }
    boolean refused =
        err instanceof Failure f
            && f.kind() != Failure.Kind.UNAVAILABLE
            && !f.code().equals("upload_incomplete");
    if (!refused) {
      return Future.failedFuture(err);
    }
    return attachments
        .store()
        .delete(key)
        .recover(x -> Future.succeededFuture())
        .compose(v -> Future.failedFuture(err));
  }

  private static Future<ObjectCheck.Checked> asUnprocessable(Throwable err) {
    if (err instanceof Failure f
        && (f.kind() == Failure.Kind.UNSUPPORTED_MEDIA_TYPE
            || f.kind() == Failure.Kind.INVALID
            || f.kind() == Failure.Kind.TOO_LARGE)) {
      return Future.failedFuture(
          Failure.unprocessable(
              f.code().equals("unsupported_file_type")
                  ? "unsupported_file_type"
                  : "upload_mismatch",
              f.getMessage() == null ? "The uploaded object was refused." : f.getMessage()));
    }
    return Future.failedFuture(err);
  }

  private static Failure mismatch(String what) {
    return Failure.unprocessable(
        "upload_mismatch",
        "The uploaded object's " + what + " is not what was declared; it was removed.");
  }

  /** A failure after the object became (another completion's) attachment: keep the object. */
  private static final class Kept extends RuntimeException {
    Kept(Throwable cause) {
      super(null, cause, false, false);
    }
  }
}
