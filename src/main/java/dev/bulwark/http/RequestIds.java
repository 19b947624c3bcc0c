package dev.bulwark.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Gives every request an id: a well-formed incoming {@code X-Request-Id} is kept, anything else is
 * replaced.
 */
public final class RequestIds implements PlatformHandler {
  public static final String HEADER = "X-Request-Id";
  public static final String KEY = "requestId";
  private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  @Override
  public void handle(RoutingContext ctx) {
    String incoming = ctx.request().getHeader(HEADER);
    String id = isWellFormed(incoming) ? incoming : generate();
    ctx.put(KEY, id);
    ctx.response().headers().add(HEADER_NAME, id);
    ctx.next();
  }

  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }

  /**
   * 1–128 characters of {@code [A-Za-z0-9._:-]}: safe to log and echo, long enough for UUIDs and
   * trace ids.
   */
  static boolean isWellFormed(String s) {
    if (s == null || s.isEmpty() || s.length() > 128) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.'
              || c == ':';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * 128 random bits as 32 hex characters; a thread-local generator keeps this off any shared lock.
   */
  static String generate() {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    char[] out = new char[32];
    long hi = rnd.nextLong();
    long lo = rnd.nextLong();
    for (int i = 0; i < 16; i++) {
      out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
      out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
    }
    return new String(out);
  }
}
