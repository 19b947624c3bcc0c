package dev.bulwark.attachments;

import dev.bulwark.config.StorageConfig;
import dev.bulwark.core.Failure;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.util.UUID;

/**
 * Attachments of the user's tasks. An upload is admitted in one short transaction (owner locked →
 * idempotency key → the task's count, the owner's bytes and open uploads → an upload slot), streams
 * to the blob store with no transaction open, and becomes an attachment in a second one (the limits
 * checked again under the owner's lock, the row inserted and the task's JSON updated together).
 */
public final class AttachmentService {
  private static final Failure NOT_FOUND = Failure.notFound("No such attachment.");
  private static final Failure NO_TASK = Failure.notFound("No such task.");
  private static final Failure USER_GONE =
      Failure.unauthenticated("user_not_found", "The account of this token no longer exists.");

  private final Pool pg;
  private final BlobStore store;
  private final StorageConfig config;
  private final long idempotencyTtlSeconds;

  /** What admitting an upload gave: a slot to upload into, or the replay of an earlier upload. */
  sealed interface Admission permits Slot, Replay {}

  /** An upload slot: the new attachment's id and the key its blob is written under. */
  record Slot(UUID id, String storageKey) implements Admission {}

  /** The upload this {@code Idempotency-Key} already made. */
  record Replay(Attachment attachment) implements Admission {}

  public AttachmentService(
      Pool pg, BlobStore store, StorageConfig config, Duration idempotencyTtl) {
    this.pg = pg;
    this.store = store;
    this.config = config;
    this.idempotencyTtlSeconds = idempotencyTtl.toSeconds();
  }

  BlobStore store() {
    return store;
  }

  StorageConfig config() {
    return config;
  }

  Pool pg() {
    return pg;
  }

  /**
   * Records a direct upload, within the limits (the task's count, and the owner's quota counting
   * its declared size), in one transaction under the owner's lock.
   */
  Future<Void> admitDirect(DirectUpload upload) {
    return pg.withTransaction(
        conn ->
            owner(conn, upload.userId())
                .compose(
                    v -> withinLimits(conn, upload.userId(), upload.taskId(), upload.size(), false))
                .compose(v -> DirectUploadRepository.insert(conn, upload)));
  }

  Future<Admission> admit(UUID userId, UUID taskId, String idempotencyKey) {
    UUID id = UUID.randomUUID();
    String storageKey = "u/" + userId + "/" + id;
    long slotSeconds = config.uploadDeadline().toSeconds() + 60;
    return pg.withTransaction(
        conn ->
            owner(conn, userId)
                .compose(v -> replay(conn, userId, taskId, idempotencyKey))
                .compose(
                    replay ->
                        replay != null
                            ? Future.succeededFuture(replay)
                            : withinLimits(conn, userId, taskId, 0, true)
                                .compose(
                                    v ->
                                        AttachmentRepository.openUpload(
                                            conn, id, userId, storageKey, slotSeconds))
                                .map(v -> new Slot(id, storageKey))));
  }

  private Future<Admission> replay(
      SqlConnection conn, UUID userId, UUID taskId, String idempotencyKey) {
    if (idempotencyKey == null) {
      return Future.succeededFuture();
    }
    return AttachmentRepository.byIdempotencyKey(
            conn, userId, idempotencyKey, idempotencyTtlSeconds)
        .map(
            found -> {
              if (found == null) {
                return null;
              }
              if (!found.taskId().equals(taskId)) {
                throw keyReused();
              }
              return new Replay(found);
            });
  }

  private static Failure keyReused() {
    return Failure.unprocessable(
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request.");
  }

  private Future<Void> owner(SqlConnection conn, UUID userId) {
    return AttachmentRepository.lockOwner(conn, userId)
        .compose(found -> found ? Future.succeededFuture() : Future.failedFuture(USER_GONE));
  }

  /**
   * 404 without the task; 409 at its attachment count or the owner's storage quota (counting {@code
   * adding} bytes more); with {@code newUpload}, 429 at the owner's concurrent uploads.
   */
  private Future<Void> withinLimits(
      SqlConnection conn, UUID userId, UUID taskId, long adding, boolean newUpload) {
    return AttachmentRepository.usage(conn, userId, taskId)
        .compose(
            usage -> {
              if (usage == null) {
                return Future.failedFuture(NO_TASK);
              }
              if (usage.onTask() >= config.maxPerTask()) {
                return Future.failedFuture(
                    Failure.conflict(
                        "attachment_limit",
                        "This task has "
                            + config.maxPerTask()
                            + " attachments, the most allowed; delete one first."));
              }
              long used = usage.bytesStored() + adding;
              if (used > config.quotaPerUser() || (adding == 0 && used >= config.quotaPerUser())) {
                return Future.failedFuture(
                    Failure.conflict(
                        "storage_quota_exceeded",
                        "Your attachments would use more than your storage quota of "
                            + config.quotaPerUser()
                            + " bytes; delete some first."));
              }
              if (newUpload && usage.uploadsOpen() >= config.concurrentUploadsPerUser()) {
                return Future.failedFuture(
                    Failure.tooManyRequests(
                        "too_many_uploads",
                        "You have "
                            + config.concurrentUploadsPerUser()
                            + " uploads in progress, the most allowed at once.",
                        5));
              }
              return Future.succeededFuture();
            });
  }

  /**
   * Makes the stored file an attachment of the task, within the limits as they are now. On a
   * failure the caller removes the blob.
   */
  Future<Attachment> complete(UUID userId, UUID taskId, StoredFile file, String idempotencyKey) {
    return pg.withTransaction(
            conn ->
                owner(conn, userId)
                    .compose(v -> AttachmentRepository.lockTask(conn, userId, taskId))
                    .compose(
                        live ->
                            live
                                ? withinLimits(conn, userId, taskId, file.size(), false)
                                : Future.failedFuture(NO_TASK))
                    .compose(
                        v ->
                            AttachmentRepository.insert(conn, userId, taskId, file, idempotencyKey))
                    .compose(a -> AttachmentRepository.closeUpload(conn, file.id()).map(a)))
        .recover(
            err ->
                isUniqueViolation(err) && idempotencyKey != null
                    // the same key raced this upload and won: answer what it made
                    ? AttachmentRepository.byIdempotencyKey(
                            pg, userId, idempotencyKey, idempotencyTtlSeconds)
                        .compose(
                            a ->
                                a != null && a.taskId().equals(taskId)
                                    ? Future.failedFuture(new Replayed(a))
                                    : Future.failedFuture(keyReused()))
                    : Future.failedFuture(err));
  }

  /** Frees an upload's slot (it failed, or was a replay). */
  Future<Void> release(UUID uploadId) {
    return AttachmentRepository.closeUpload(pg, uploadId);
  }

  Future<Attachment> find(UUID userId, UUID id) {
    return AttachmentRepository.find(pg, userId, id)
        .map(
            a -> {
              if (a == null) {
                throw NOT_FOUND;
              }
              return a;
            });
  }

  /** Deletes the attachment, then its blob (a blob left by a failure is the orphan sweep's). */
  Future<Void> delete(UUID userId, UUID id) {
    return pg.withTransaction(conn -> AttachmentRepository.delete(conn, userId, id))
        .compose(
            key ->
                key == null
                    ? Future.failedFuture(NOT_FOUND)
                    : store.delete(key).recover(err -> Future.succeededFuture()));
  }

  private static boolean isUniqueViolation(Throwable err) {
    return err instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  /** A completion that found its Idempotency-Key already used for this task: answer that one. */
  static final class Replayed extends RuntimeException {
    final transient Attachment attachment;

    Replayed(Attachment attachment) {
      super(null, null, false, false);
      this.attachment = attachment;
    }
  }
}
