package dev.bulwark;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log lines to standard output from one writer thread that drains a bounded queue every few
 * milliseconds and writes each drained batch with one flush.
 *
 * <p>Why not logback's {@code AsyncAppender} in front of a {@code ConsoleAppender}: that pair wakes
 * its worker for nearly every event (a futex call on the logging thread, an event loop here) and
 * then writes and flushes every line on its own (a {@code write} system call per line). With one
 * access-log line per request that was a context switch and a system call per request. Here an
 * event loop only appends to a lock-free queue; the writer sleeps {@link #PERIOD_NANOS} when it
 * finds the queue empty and never needs waking, so a line reaches the console at most that late.
 *
 * <p>Never blocks the caller: past {@link #CAPACITY} queued lines new lines are dropped, counted,
 * and reported by one warning once the queue drains. {@link #stop()} writes everything queued.
 */
final class BatchedConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  private static final Logger log = LoggerFactory.getLogger(BatchedConsoleAppender.class);
  static final int CAPACITY = 8192;
  static final long PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long STOP_WAIT_MILLIS = 2_000;

  private final ConcurrentLinkedQueue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final Encoder<ILoggingEvent> encoder;
  private final OutputStream out;
  private final Consumer<ILoggingEvent> onLoggingThread;
  private volatile boolean running;
  private Thread writer;

  BatchedConsoleAppender(Encoder<ILoggingEvent> encoder, OutputStream console) {
    this(encoder, console, event -> {});
  }

  /**
   * {@code onLoggingThread} sees each event on the thread that logged it, before it is queued
   * (where the current trace is known).
   */
  BatchedConsoleAppender(
      Encoder<ILoggingEvent> encoder,
      OutputStream console,
      Consumer<ILoggingEvent> onLoggingThread) {
    this.encoder = encoder;
    this.out = new BufferedOutputStream(console, 64 * 1024);
    this.onLoggingThread = onLoggingThread;
  }

  @Override
  public void start() {
    running = true;
    writer = new Thread(this::run, "bulwark-log-writer");
    writer.setDaemon(true);
    writer.start();
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (queued.incrementAndGet() > CAPACITY) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    onLoggingThread.accept(event);
    // message, thread name and MDC are taken now, on the caller's thread, as AsyncAppender does
    event.prepareForDeferredProcessing();
    queue.offer(event);
  }

  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    running = false;
    LockSupport.unpark(writer);
    try {
      writer.join(STOP_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    while (true) {
      boolean stopping = !running;
      int written = drain();
      if (written == 0) {
        if (stopping) {
          return;
        }
        LockSupport.parkNanos(this, PERIOD_NANOS);
      }
    }
  }

  /** Writes every queued line and flushes once; the number written. */
  private int drain() {
    int n = 0;
    try {
      for (ILoggingEvent e = queue.poll(); e != null; e = queue.poll()) {
        queued.decrementAndGet();
        out.write(encoder.encode(e));
        n++;
      }
      if (n > 0) {
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // standard output is gone or an encoder failed: nothing better to report it to
      addError("log writer failed", e);
    }
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      // through the logger, so the warning has the format of every other line; it is queued like
      // one
      log.warn("log queue full: {} line(s) dropped", lost);
    }
    return n;
  }
}
