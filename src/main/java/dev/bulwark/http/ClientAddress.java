package dev.bulwark.http;

import dev.bulwark.core.Cidr;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who the client is, believing {@code X-Forwarded-For} / {@code X-Forwarded-Proto} only from peers
 * inside the configured trusted-proxy CIDRs ({@code rateLimit.trustedProxies}); otherwise the
 * socket address and whether the socket itself is TLS.
 */
public final class ClientAddress {
  private static final String CONTEXT_KEY = "clientAddress";

  /** Before {@link #attach} has run (or in a router without it): the socket peer is the client. */
  private static final ClientAddress NO_PROXIES = new ClientAddress(List.of());

  private final List<Cidr> trusted;

  public ClientAddress(List<String> trustedProxyCidrs) {
    List<Cidr> parsed = new ArrayList<>();
    for (String cidr : trustedProxyCidrs) {
      parsed.add(Cidr.parse(cidr));
    }
    this.trusted = List.copyOf(parsed);
  }

  public boolean isTrustedProxy(SocketAddress peer) {
    if (trusted.isEmpty() || peer == null || peer.hostAddress() == null) {
      return false;
    }
    return isTrusted(literal(peer.hostAddress()));
  }

  /**
   * Platform handler: makes this instance available to {@link #ipOf} for the rest of the request.
   */
  public void attach(RoutingContext ctx) {
    ctx.put(CONTEXT_KEY, this);
    ctx.next();
  }

  /** The client's IP address as text (as sessions and audit events record it), or null. */
  public static String ipOf(RoutingContext ctx) {
    ClientAddress clients = ctx.get(CONTEXT_KEY);
    byte[] address = (clients != null ? clients : NO_PROXIES).clientAddress(ctx.request());
    if (address == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(address).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /**
   * The client's address: the socket peer; when that peer is a trusted proxy, the right-most {@code
   * X-Forwarded-For} entry that is not itself a trusted proxy (entries left of it are the client's
   * to forge). Null only when the peer has no IP address.
   */
  public byte[] clientAddress(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    byte[] address = peer == null ? null : literal(peer.hostAddress());
    if (address == null || !isTrusted(address)) {
      return address;
    }
    List<String> forwarded = request.headers().getAll("X-Forwarded-For");
    for (int h = forwarded.size() - 1; h >= 0; h--) {
      String[] hops = forwarded.get(h).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        byte[] hop = literal(withoutPort(hops[i].trim()));
        if (hop == null) {
          return address;
        }
        address = hop;
        if (!isTrusted(hop)) {
          return hop;
        }
      }
    }
    return address;
  }

  /**
   * The rate-limit identity of the client: its IPv4 address, or the /64 of its IPv6 address (one
   * subscriber's devices share a /64 and can pick any address in it).
   */
  public String clientKey(HttpServerRequest request) {
    byte[] a = clientAddress(request);
    if (a == null) {
      return "unknown";
    }
    if (a.length == 4) {
      return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
    return Integer.toHexString(((a[0] & 0xff) << 8) | (a[1] & 0xff))
        + ":"
        + Integer.toHexString(((a[2] & 0xff) << 8) | (a[3] & 0xff))
        + ":"
        + Integer.toHexString(((a[4] & 0xff) << 8) | (a[5] & 0xff))
        + ":"
        + Integer.toHexString(((a[6] & 0xff) << 8) | (a[7] & 0xff))
        + "::/64";
  }

  private boolean isTrusted(byte[] address) {
    for (Cidr c : trusted) {
      if (c.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code [2001:db8::1]:443} → {@code 2001:db8::1}; {@code 192.0.2.1:8080} → {@code 192.0.2.1}.
   */
  private static String withoutPort(String hop) {
    if (hop.startsWith("[")) {
      int close = hop.indexOf(']');
      return close < 0 ? hop : hop.substring(1, close);
    }
    int colon = hop.indexOf(':');
    return colon > 0 && colon == hop.lastIndexOf(':') ? hop.substring(0, colon) : hop;
  }

  /** HTTPS at the socket, or as a trusted proxy reports it. */
  public boolean isHttps(HttpServerRequest request) {
    if (request.isSSL()) {
      return true;
    }
    String proto = request.getHeader("X-Forwarded-Proto");
    return proto != null
        && proto.trim().equalsIgnoreCase("https")
        && isTrustedProxy(request.remoteAddress());
  }

  /**
   * Only hex digits, {@code :}, {@code .} and {@code %}: anything else would make {@link
   * InetAddress#getByName} resolve a host name.
   */
  private static boolean isLiteralAlphabet(String ip) {
    for (int i = 0; i < ip.length(); i++) {
      char c = ip.charAt(i);
      if (Character.digit(c, 16) < 0 && c != ':' && c != '.' && c != '%') {
        return false;
      }
    }
    return true;
  }

  /** Parses an IP literal without DNS; null when it is not one. */
  public static byte[] literal(String ip) {
    if (ip == null || ip.isEmpty() || !isLiteralAlphabet(ip)) {
      return null;
    }
    try {
      int zone = ip.indexOf('%');
      return InetAddress.getByName(zone < 0 ? ip : ip.substring(0, zone)).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
