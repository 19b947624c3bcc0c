package dev.bulwark.core;

import java.util.Map;

/**
 * Where unexpected failures go beyond the log: the ones that become a 500, and failed background
 * jobs. An implementation never blocks its caller (an event loop): it hands the report off, and may
 * drop it (rate limits, a full queue) rather than wait.
 */
@FunctionalInterface
public interface FailureReporter {
  /** Reports nothing. */
  FailureReporter NONE = (failure, source, tags) -> {};

  /**
   * One unexpected failure: {@code source} says where it happened ({@code http}, {@code outbox},
   * {@code task_purge}, ...); {@code tags} carry what leads to it (route, request id, trace id),
   * never a credential, a body or an email.
   */
  void report(Throwable failure, String source, Map<String, String> tags);
}
