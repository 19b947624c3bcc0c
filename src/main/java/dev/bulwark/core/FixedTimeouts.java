package dev.bulwark.core;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Deadlines of one fixed length for work on one event loop, without a timer each. A timer per
 * request (as {@code Future.timeout} or {@code vertx.timer} make) costs a scheduled task and two
 * priority-queue operations on the loop: one to insert it, one to remove it when the work ends in
 * time, each O(log n) in the timers pending. With one length for every deadline, deadlines fall in
 * arrival order, so a FIFO and one periodic check do the same at O(1) an entry.
 *
 * <p>The check runs every tenth of the timeout (at most every 100 ms, at least every millisecond)
 * while anything is pending, and stops when nothing is; a deadline fires up to one period late.
 * Entries that ended leave at the next check. An entry that ended is never expired; one expired is
 * never expired again.
 *
 * <p>Confined to one event loop: create it in a verticle and add only from that verticle's loop.
 */
public final class FixedTimeouts {
  /**
   * Work with a deadline: {@link #end} it when it finishes; {@link #expire} runs if it does not.
   */
  public abstract static class Entry {
    private long deadline;
    private boolean ended;

    /** The work finished: its expiry will not run. Idempotent. */
    public final void end() {
      ended = true;
    }

    /** Whether the work ended or its deadline passed. */
    public final boolean isEnded() {
      return ended;
    }

    /** Runs on the loop once the deadline passed with the work not ended. */
    protected abstract void expire();
  }

  private final Vertx vertx;
  private final long timeoutMs;
  private final long timeoutNanos;
  private final long periodMs;
  private final ArrayDeque<Entry> pending = new ArrayDeque<>();
  private long timer = -1;

  public FixedTimeouts(Vertx vertx, long timeoutMs) {
    if (timeoutMs < 1) {
      throw new IllegalArgumentException("timeout must be at least 1 ms: " + timeoutMs);
    }
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    this.periodMs = Math.max(1, Math.min(100, timeoutMs / 10));
  }

  /** Starts {@code entry}'s deadline: the timeout from now. */
  public void add(Entry entry) {
    entry.deadline = System.nanoTime() + timeoutNanos;
    pending.addLast(entry);
    if (timer < 0) {
      timer = vertx.setPeriodic(periodMs, id -> check());
    }
  }

  /**
   * {@code work}'s outcome, or a {@link TimeoutException} when it has none within the timeout (what
   * {@code Future.timeout} answers, without its timer).
   */
  public <T> Future<T> bound(Future<T> work) {
    if (work.isComplete()) {
      return work;
    }
    Bounded<T> entry = new Bounded<>(timeoutMs);
    add(entry);
    work.onComplete(entry);
    return entry.promise.future();
  }

  /** Entries not yet ended or expired (for tests and gauges). */
  public int pending() {
    return pending.size();
  }

  private void check() {
    long now = System.nanoTime();
    Entry head;
    while ((head = pending.peekFirst()) != null && (head.ended || head.deadline - now <= 0)) {
      pending.pollFirst();
      if (!head.ended) {
        head.ended = true;
        head.expire();
      }
    }
    if (pending.isEmpty()) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private static final class Bounded<T> extends Entry implements Handler<AsyncResult<T>> {
    private final Promise<T> promise = Promise.promise();
    private final long timeoutMs;

    Bounded(long timeoutMs) {
      this.timeoutMs = timeoutMs;
    }

    @Override
    public void handle(AsyncResult<T> outcome) {
      end();
      if (outcome.succeeded()) {
        promise.tryComplete(outcome.result());
      } else {
        promise.tryFail(outcome.cause());
      }
    }

    @Override
    protected void expire() {
      promise.tryFail(new Timeout(timeoutMs));
    }
  }

  /** The failure of work not done in time; no stack trace (it says nothing). */
  static final class Timeout extends TimeoutException {
    private static final long serialVersionUID = 1L;

    Timeout(long timeoutMs) {
      super("no answer within " + timeoutMs + " ms");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
