package dev.bulwark.attachments;

import dev.bulwark.config.StorageConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Once per process, every {@code storage.sweepInterval}: removes blobs that no attachment row and
 * no upload in progress holds (their task's tombstone was purged, their account deleted, or a
 * process died mid-upload), if older than an upload's deadline; and reports rows whose blob is gone
 * (it does not delete them: a missing blob is an operator's matter). It also removes direct uploads
 * past their expiry, with their objects unless completed, and spool files a crash left behind. Runs
 * never overlap.
 */
public final class OrphanSweep {
  private static final Logger log = LoggerFactory.getLogger(OrphanSweep.class);
  private static final int BATCH = 500;

  private final Vertx vertx;
  private final Pool pg;
  private final BlobStore store;
  private final StorageConfig config;
  private final AtomicBoolean running = new AtomicBoolean();
  private long timerId = -1;

  /** What one run found: blobs removed, and rows whose blob is missing. */
  public record Swept(int blobsRemoved, int rowsWithoutBlob) {}

  public OrphanSweep(Vertx vertx, Pool pg, StorageConfig config) {
    this.vertx = vertx;
    this.pg = pg;
    this.store = BlobStores.create(vertx, config);
    this.config = config;
  }

  public OrphanSweep start() {
    timerId = vertx.setPeriodic(config.sweepInterval().toMillis(), id -> runOnce());
    return this;
  }

  public void stop() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  public Future<Swept> runOnce() {
    return runOnce(Instant.now());
  }

  /** One run as if it were {@code now} (a test moves time forward to make blobs old). */
  Future<Swept> runOnce(Instant now) {
    if (!running.compareAndSet(false, true)) {
      return Future.succeededFuture(new Swept(0, 0));
    }
    Instant before = now.minus(config.uploadDeadline()).minusSeconds(60);
    return store
        .removeStaleSpool(before)
        .compose(spooled -> DirectUploadRepository.removeExpired(pg, now, BATCH))
        .compose(expired -> removeAll(expired, 0))
        .compose(v -> store.list(before, 10_000))
        .compose(this::removeUnknown)
        .compose(removed -> missing(null, 0, new ArrayList<>()).map(m -> new Swept(removed, m)))
        .onSuccess(
            s -> {
              if (s.blobsRemoved() > 0) {
                log.info("removed {} attachment blob(s) no attachment holds", s.blobsRemoved());
              }
              if (s.rowsWithoutBlob() > 0) {
                log.warn("{} attachment row(s) have no blob in the store", s.rowsWithoutBlob());
              }
            })
        .onFailure(
            err -> log.warn("attachment sweep failed; retrying next period: {}", err.toString()))
        .eventually(
            () -> {
              running.set(false);
              return Future.succeededFuture();
            });
  }

  private Future<Integer> removeUnknown(List<String> keys) {
    if (keys.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return AttachmentRepository.unknownKeys(pg, keys)
        .compose(unknown -> removeAll(unknown, 0).map(unknown.size()));
  }

  private Future<Void> removeAll(List<String> keys, int at) {
    if (at >= keys.size()) {
      return Future.succeededFuture();
    }
    return store.delete(keys.get(at)).compose(v -> removeAll(keys, at + 1));
  }

  /** Counts rows whose blob the store does not have, a page of rows at a time. */
  private Future<Integer> missing(UUID after, int count, List<String> scratch) {
    UUID from = after == null ? new UUID(0, 0) : after;
    return AttachmentRepository.keys(pg, from, BATCH)
        .compose(
            page -> {
              if (page.isEmpty()) {
                return Future.succeededFuture(count);
              }
              return countMissing(page, 0, 0)
                  .compose(
                      m ->
                          page.size() < BATCH
                              ? Future.succeededFuture(count + m)
                              : missing(
                                  UUID.fromString(page.get(page.size() - 1)[0]),
                                  count + m,
                                  scratch));
            });
  }

  private Future<Integer> countMissing(List<String[]> page, int at, int count) {
    if (at >= page.size()) {
      return Future.succeededFuture(count);
    }
    return store
        .exists(page.get(at)[1])
        .compose(found -> countMissing(page, at + 1, found ? count : count + 1));
  }
}
