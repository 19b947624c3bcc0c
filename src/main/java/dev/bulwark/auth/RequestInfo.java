package dev.bulwark.auth;

import dev.bulwark.http.ClientAddress;
import dev.bulwark.http.RequestIds;
import io.vertx.ext.web.RoutingContext;

/**
 * The client facts a session and an audit event record: address (told through trusted proxies),
 * user agent, request id.
 */
public record RequestInfo(String ip, String userAgent, String requestId) {
  private static final int MAX_USER_AGENT = 256;

  public static RequestInfo of(RoutingContext ctx) {
    String ua = ctx.request().getHeader("User-Agent");
    if (ua != null && ua.length() > MAX_USER_AGENT) {
      ua = ua.substring(0, MAX_USER_AGENT);
    }
    return new RequestInfo(ClientAddress.ipOf(ctx), ua, RequestIds.of(ctx));
  }
}
