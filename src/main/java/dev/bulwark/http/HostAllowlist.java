package dev.bulwark.http;

import dev.bulwark.core.Failure;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code http.allowedHosts} ({@code ALLOWED_HOSTS}): a request whose {@code Host} is not listed
 * gets 400 {@code host_not_allowed}, so DNS rebinding and forged Host headers reach no route.
 * Entries are host names or IP literals ({@code api.example.com}), or {@code *.example.com} for any
 * subdomain; the port is not compared. The probes {@code /health} and {@code /ready} answer
 * whatever the Host: orchestrators probe by address, and neither tells a caller anything about its
 * host.
 */
public final class HostAllowlist implements SecurityPolicyHandler {
  static final Set<String> PROBES = Set.of("/health", "/ready");

  private final Set<String> exact = new HashSet<>();
  private final List<String> subdomainsOf = new ArrayList<>();
  private final boolean anyHost;

  /**
   * {@code hosts} as validated by the configuration: lower case, no port. Empty allows every host.
   */
  public HostAllowlist(List<String> hosts) {
    this.anyHost = hosts.isEmpty();
    for (String h : hosts) {
      if (h.startsWith("*.")) {
        subdomainsOf.add(h.substring(1));
      } else {
        exact.add(unbracketed(h));
      }
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (anyHost || allows(ctx.request().authority()) || PROBES.contains(ctx.request().path())) {
      ctx.next();
    } else {
      ctx.fail(Failure.invalid("host_not_allowed", "This server does not answer for that host."));
    }
  }

  boolean allows(HostAndPort authority) {
    if (authority == null || authority.host() == null) {
      return false;
    }
    String host = unbracketed(authority.host().toLowerCase(Locale.ROOT));
    if (exact.contains(host)) {
      return true;
    }
    for (String suffix : subdomainsOf) {
      if (host.endsWith(suffix) && host.length() > suffix.length()) {
        return true;
      }
    }
    return false;
  }

  private static String unbracketed(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }
}
