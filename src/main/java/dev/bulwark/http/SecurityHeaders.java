package dev.bulwark.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.SecurityPolicyHandler;

/**
 * OWASP's headers for an API, on every response: no sniffing, no framing, no referrer, no caching,
 * a deny-all CSP, isolation of opener and resources. HSTS in production, or when the request came
 * over HTTPS. All values are built once; per request this is a handful of map puts.
 */
public final class SecurityHeaders implements SecurityPolicyHandler {
  static final CharSequence CSP = HttpHeaders.createOptimized("Content-Security-Policy");
  private static final CharSequence HSTS_NAME =
      HttpHeaders.createOptimized("Strict-Transport-Security");
  private static final CharSequence HSTS_VALUE =
      HttpHeaders.createOptimized("max-age=31536000; includeSubDomains");
  private static final CharSequence[][] ALWAYS = {
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
    {"Referrer-Policy", "no-referrer"},
    {"Cache-Control", "no-store"},
    {
      "Permissions-Policy",
      "accelerometer=(), camera=(), geolocation=(), gyroscope=(), microphone=(), payment=(), usb=()"
    },
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
  };
  private static final CharSequence[][] HEADERS = optimized();

  private final boolean alwaysHsts;
  private final ClientAddress clientAddress;

  public SecurityHeaders(boolean alwaysHsts, ClientAddress clientAddress) {
    this.alwaysHsts = alwaysHsts;
    this.clientAddress = clientAddress;
  }

  @Override
  public void handle(RoutingContext ctx) {
    // the platform chain sets none of these before: add, which needs no lookup to replace
    MultiMap headers = ctx.response().headers();
    for (CharSequence[] h : HEADERS) {
      headers.add(h[0], h[1]);
    }
    if (alwaysHsts || clientAddress.isHttps(ctx.request())) {
      headers.add(HSTS_NAME, HSTS_VALUE);
    }
    ctx.next();
  }

  private static CharSequence[][] optimized() {
    CharSequence[][] out = new CharSequence[ALWAYS.length][];
    for (int i = 0; i < ALWAYS.length; i++) {
      out[i] =
          new CharSequence[] {
            HttpHeaders.createOptimized(ALWAYS[i][0].toString()),
            HttpHeaders.createOptimized(ALWAYS[i][1].toString())
          };
    }
    return out;
  }
}
