package dev.bulwark.http;

import dev.bulwark.core.Failure;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a request whose path is not written the one way the router reads it: 400 {@code
 * non_canonical_path} before any feature or limit sees it. The router matches the normalized path
 * (dot segments removed, {@code //} collapsed, escaped letters, digits and {@code -._~} decoded),
 * so any other spelling would let a request reach a route under a name that rate-limit rules,
 * proxies and logs see differently. Also refused: escaped {@code /} and {@code \} ({@code %2F},
 * {@code %5C}: a proxy may decode them into separators), a raw {@code \}, and malformed escapes.
 * Every path the API documents is canonical, so well-behaved clients never meet this.
 */
public final class CanonicalPath implements Handler<RoutingContext> {
  private static final Failure NON_CANONICAL =
      Failure.invalid(
          "non_canonical_path",
          "The request path must be canonical: no '.' or '..' segments, no '//', no percent-encoded letters, digits, "
              + "'-._~', '/' or '\\'.");

  @Override
  public void handle(RoutingContext ctx) {
    if (isCanonical(ctx.request().path())) {
      ctx.next();
    } else {
      ctx.fail(NON_CANONICAL);
    }
  }

  /**
   * Whether {@code path} is the one spelling of itself: what the router would match, byte for byte.
   */
  public static boolean isCanonical(String path) {
    if (path == null || path.isEmpty() || path.charAt(0) != '/') {
      return false;
    }
    int segmentStart = 1;
    for (int i = 1; i <= path.length(); i++) {
      char c = i < path.length() ? path.charAt(i) : '/';
      if (c == '/') {
        int length = i - segmentStart;
        if (i < path.length() && length == 0) {
          return false; // "//"
        }
        if (isDotSegment(path, segmentStart, length)) {
          return false;
        }
        segmentStart = i + 1;
      } else if (c == '\\') {
        return false;
      } else if (c == '%' && !isKeptEscape(path, i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDotSegment(String path, int start, int length) {
    return (length == 1 && path.charAt(start) == '.')
        || (length == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.');
  }

  /**
   * An escape the router leaves as it is and that names no separator: well-formed, not unreserved,
   * not / or \.
   */
  private static boolean isKeptEscape(String path, int at) {
    if (at + 2 >= path.length()) {
      return false;
    }
    int high = Character.digit(path.charAt(at + 1), 16);
    int low = Character.digit(path.charAt(at + 2), 16);
    if (high < 0 || low < 0) {
      return false;
    }
    int c = high * 16 + low;
    boolean unreserved =
        (c >= 'A' && c <= 'Z')
            || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9')
            || c == '-'
            || c == '.'
            || c == '_'
            || c == '~';
    return !unreserved && c != '/' && c != '\\';
  }
}
