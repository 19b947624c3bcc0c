package dev.bulwark.ratelimit;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * How the routes of one access level recognise their caller; each feature with a credential
 * contributes one.
 */
public interface CallerSource {
  /** Routes without a credential: every request is anonymous and counts against its address. */
  CallerSource ANONYMOUS = ctx -> Future.succeededFuture();

  /**
   * The caller, null when anonymous, or a failure carrying the {@link dev.bulwark.http.Failure} for
   * a bad credential. The gate answers that failure only after the request has been counted against
   * its address, so bad credentials are limited like anything else.
   */
  Future<Caller> identify(RoutingContext ctx);

  /**
   * Whether recognising the caller needs I/O. A source that reads only the request (a signature
   * check: CPU) is asked first, and the address's and the caller's checks share one Redis round
   * trip. One that needs I/O (a database lookup) is asked only once the address's limits admitted
   * the request; its caller's checks then cost a second round trip.
   */
  default boolean needsIo() {
    return false;
  }
}
