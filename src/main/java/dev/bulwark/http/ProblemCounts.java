package dev.bulwark.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every problem response counted by status and stable code ({@code 429 rate_limited}, {@code 503
 * server_busy}, ...), process-wide with contention-free adders. The codes are the API's own fixed
 * set, so the series stay bounded; each is published the first time it is answered, through the
 * sink the composition root gives (the metrics registry).
 */
public final class ProblemCounts {
  /** Where a newly seen (status, code) pair is published. */
  @FunctionalInterface
  public interface Sink {
    void publish(int status, String code, LongAdder count);
  }

  private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();
  private static volatile Sink sink = (status, code, count) -> {};

  private ProblemCounts() {}

  /** Publishes every pair seen so far, and from now on each new one, to {@code to}. */
  public static synchronized void publishTo(Sink to) {
    sink = to;
    COUNTS.forEach(
        (key, count) -> {
          int space = key.indexOf(' ');
          to.publish(Integer.parseInt(key.substring(0, space)), key.substring(space + 1), count);
        });
  }

  static void count(int status, String code) {
    String key = status + " " + code;
    LongAdder count = COUNTS.get(key);
    if (count == null) {
      count = firstOf(key, status, code);
    }
    count.increment();
  }

  private static synchronized LongAdder firstOf(String key, int status, String code) {
    LongAdder count = COUNTS.get(key);
    if (count == null) {
      count = new LongAdder();
      COUNTS.put(key, count);
      sink.publish(status, code, count);
    }
    return count;
  }

  /** How many problems of that status and code were answered, in this process. */
  public static long total(int status, String code) {
    LongAdder count = COUNTS.get(status + " " + code);
    return count == null ? 0 : count.sum();
  }
}
