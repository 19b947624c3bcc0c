package dev.bulwark.tasks;

import dev.bulwark.config.TasksConfig;
import dev.bulwark.core.Failure;
import dev.bulwark.tasks.TaskListQuery.Position;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's tasks: one statement per read, one per update or delete, and one short transaction per
 * create (user row locked → idempotency record → quota → insert → record), so concurrent creates of
 * one user are serialised: the quota is exact and a repeated {@code Idempotency-Key} creates one
 * task.
 */
public final class TaskService {
  private static final Logger log = LoggerFactory.getLogger(TaskService.class);
  private static final Failure NOT_FOUND = Failure.notFound("No such task.");
  private static final Failure USER_GONE =
      Failure.unauthenticated("user_not_found", "The account of this token no longer exists.");

  private final Pool pg;
  private final SqlClient reads;
  private final TasksConfig config;
  private final TaskCursors cursors;

  /** A page of a list: its rows and the cursor of the next page (null on the last). */
  public record Page(List<Task> items, String nextCursor) {}

  /** What a create answered: the 201 body as sent (or as first sent, on a replay). */
  public record Created(UUID id, int version, Buffer body, boolean replayed) {
    public String etag() {
      return "\"" + version + "\"";
    }
  }

  /** A create's {@code Idempotency-Key} and the hash of the request body it came with. */
  public record IdempotencyKey(String key, byte[] requestHash) {}

  /**
   * {@code pg} for transactions and writes; {@code reads} (pipelined, or {@code pg} itself) for the
   * single-statement reads of the list and get routes.
   */
  public TaskService(Pool pg, SqlClient reads, TasksConfig config, TaskCursors cursors) {
    this.pg = pg;
    this.reads = reads;
    this.config = config;
    this.cursors = cursors;
  }

  public Future<Page> list(UUID userId, TaskListQuery query) {
    if (query.isSync()) {
      OffsetDateTime from = query.after() == null ? query.updatedSince() : query.after().key();
      if (from.isBefore(OffsetDateTime.now().minus(config.tombstoneRetention()))) {
        return Future.failedFuture(
            Failure.gone(
                "sync_window_expired",
                "Deleted tasks are kept for "
                    + config.tombstoneRetention().toDays()
                    + " day(s); changes this old are incomplete. Reload the full list."));
      }
    }
    if (query.isNear()) {
      return TaskRepository.nearPage(pg, userId, query)
          .map(rows -> nearPage(userId, query, rows))
          .recover(TaskService::clientError);
    }
    return TaskRepository.page(reads, userId, query)
        .map(rows -> page(userId, query, rows))
        .recover(TaskService::clientError);
  }

  private Page page(UUID userId, TaskListQuery query, List<Task> rows) {
    if (rows.size() <= query.limit()) {
      return new Page(rows, null);
    }
    List<Task> items = rows.subList(0, query.limit());
    Task last = items.get(items.size() - 1);
    return new Page(
        items, cursors.encode(userId, query, new Position(query.sort().keyOf(last), last.id())));
  }

  private Page nearPage(UUID userId, TaskListQuery query, List<TaskRepository.Located> rows) {
    int n = Math.min(rows.size(), query.limit());
    List<Task> items = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      items.add(rows.get(i).task());
    }
    if (rows.size() <= query.limit()) {
      return new Page(items, null);
    }
    TaskRepository.Located last = rows.get(n - 1);
    return new Page(
        items,
        cursors.encode(userId, query, new Position(null, last.task().id(), last.distance())));
  }

  public Future<Task> get(UUID userId, UUID id) {
    return TaskRepository.find(reads, userId, id)
        .map(TaskService::existing)
        .recover(TaskService::clientError);
  }

  public Future<Created> create(UUID userId, NewTask task, IdempotencyKey key) {
    return pg.withTransaction(
            conn ->
                TaskRepository.lockOwner(conn, userId)
                    .compose(
                        found ->
                            found
                                ? replayOrInsert(conn, userId, task, key)
                                : Future.failedFuture(USER_GONE)))
        .recover(TaskService::clientError);
  }

  private Future<Created> replayOrInsert(
      SqlConnection conn, UUID userId, NewTask task, IdempotencyKey key) {
    if (key == null) {
      return insertWithinQuota(conn, userId, task);
    }
    return IdempotencyRecords.find(conn, userId, key.key(), config.idempotencyTtl().toSeconds())
        .compose(
            stored -> {
              if (stored != null && stored.live()) {
                if (!MessageDigest.isEqual(stored.requestHash(), key.requestHash())) {
                  return Future.failedFuture(
                      Failure.unprocessable(
                          "idempotency_key_reused",
                          "This Idempotency-Key was already used with a different request body."));
                }
                return Future.succeededFuture(
                    new Created(
                        stored.taskId(), stored.taskVersion(), Buffer.buffer(stored.body()), true));
              }
              Future<Void> expired =
                  stored == null
                      ? Future.succeededFuture()
                      : IdempotencyRecords.delete(conn, userId, key.key());
              return expired
                  .compose(v -> insertWithinQuota(conn, userId, task))
                  .compose(
                      created ->
                          IdempotencyRecords.insert(
                                  conn,
                                  userId,
                                  key.key(),
                                  key.requestHash(),
                                  201,
                                  created.body(),
                                  created.id(),
                                  created.version())
                              .map(created));
            });
  }

  private Future<Created> insertWithinQuota(SqlConnection conn, UUID userId, NewTask task) {
    int quota = config.quotaPerUser();
    return TaskRepository.countLive(conn, userId, quota)
        .compose(
            live ->
                live >= quota
                    ? Future.failedFuture(
                        Failure.conflict(
                            "quota_exceeded",
                            "You have " + quota + " tasks, the most allowed; delete some first."))
                    : TaskRepository.insert(conn, userId, task))
        .map(t -> new Created(t.id(), t.version(), TaskJson.task(t), false));
  }

  /**
   * Applies a merge patch. With a precondition, only to a matching version (else 412 with the
   * current version). A patch that changes nothing (empty, or every value already set) answers the
   * task as it is, version unchanged.
   */
  public Future<Task> update(UUID userId, UUID id, TaskPatch patch, VersionPrecondition ifMatch) {
    Future<Task> written =
        patch.isEmpty()
            ? Future.succeededFuture()
            : TaskRepository.update(
                pg, userId, id, patch, ifMatch == null ? null : ifMatch.versionsOrNull());
    return written
        .compose(t -> t != null ? Future.succeededFuture(t) : unwritten(userId, id, ifMatch))
        .recover(TaskService::clientError);
  }

  /**
   * Why nothing was written: no such task (404), a stale version (412), or nothing to change (the
   * task).
   */
  private Future<Task> unwritten(UUID userId, UUID id, VersionPrecondition ifMatch) {
    return TaskRepository.find(pg, userId, id)
        .map(
            current -> {
              Task t = existing(current);
              if (ifMatch != null && !ifMatch.matches(t.version())) {
                throw versionConflict(t.version());
              }
              return t;
            });
  }

  public Future<Void> delete(UUID userId, UUID id, VersionPrecondition ifMatch) {
    return TaskRepository.softDelete(
            pg, userId, id, ifMatch == null ? null : ifMatch.versionsOrNull())
        .compose(
            deleted ->
                deleted
                    ? Future.<Void>succeededFuture()
                    : TaskRepository.findWithTombstone(pg, userId, id)
                        .map(
                            current -> {
                              Task t = existing(current);
                              if (t.deleted()) {
                                // already deleted: a retried DELETE (its response lost) reached
                                // what it asked for, whatever version it named
                                return null;
                              }
                              // the task is live, so only the precondition can have stopped the
                              // delete (or a write that raced it)
                              throw versionConflict(t.version());
                            }))
        .recover(TaskService::clientError);
  }

  static Failure versionConflict(int current) {
    return Failure.preconditionFailed(
            "version_conflict",
            "The task has changed since that version; it is now at version " + current + ".")
        .withMember("current_version", current);
  }

  private static Task existing(Task t) {
    if (t == null) {
      throw NOT_FOUND;
    }
    return t;
  }

  /**
   * Data errors PostgreSQL raises (class 22, check violations) can only come from client input that
   * validation should have refused; answer 400 rather than 500, and log it so the gap in validation
   * gets closed.
   */
  private static <T> Future<T> clientError(Throwable err) {
    if (err instanceof PgException pg
        && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().equals("23514"))) {
      log.warn(
          "task input reached the database invalid (sqlstate {}): {}",
          pg.getSqlState(),
          pg.getErrorMessage());
      return Future.failedFuture(
          Failure.invalid("invalid_input", "A value in the request is not acceptable."));
    }
    return Future.failedFuture(err);
  }
}
