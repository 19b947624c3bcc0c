package dev.bulwark.ratelimit;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * A request's caller, as the feature that recognised its credential describes it to the gate: whose
 * budgets the request counts against, which of that principal's Redis keys to read in the same
 * script call, and what their values mean. The gate owns the round trip, the limits and Redis's
 * health; the feature owns the meaning of its keys.
 */
public interface Caller {
  /**
   * The user: user-keyed limits count here, and {@link #checkKeys} all carry the hash tag of {@link
   * PrincipalKeys#user}.
   */
  String userId();

  /**
   * The session (token family) the credential belongs to, for session-keyed limits; null when it
   * names none.
   */
  String sessionId();

  /**
   * Keys read in the request's script call, each built with {@link PrincipalKeys#user}; empty for
   * none.
   */
  List<String> checkKeys();

  /**
   * The verdict on the values of {@link #checkKeys} (in order; null where a key is absent):
   * succeeds to admit, fails with the {@link dev.bulwark.http.Failure} to answer.
   */
  Future<Void> verdict(List<String> values);

  /** The same verdict while Redis cannot answer, from the store of record. */
  Future<Void> verdictWithoutRedis();

  /**
   * Called once the request is admitted: hands the caller to the feature (for instance on the
   * context).
   */
  void admit(RoutingContext ctx);
}
