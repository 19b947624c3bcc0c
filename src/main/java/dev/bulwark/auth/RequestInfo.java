package dev.bulwark.auth;

import dev.bulwark.http.RequestIds;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

/** The client facts a session and an audit event record: address, user agent, request id. */
public record RequestInfo(String ip, String userAgent, String requestId) {
  private static final int MAX_USER_AGENT = 256;

  public static RequestInfo of(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    String ua = ctx.request().getHeader("User-Agent");
    if (ua != null && ua.length() > MAX_USER_AGENT) {
      ua = ua.substring(0, MAX_USER_AGENT);
    }
    return new RequestInfo(remote == null ? null : remote.hostAddress(), ua, RequestIds.of(ctx));
  }
}
