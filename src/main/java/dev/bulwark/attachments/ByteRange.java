package dev.bulwark.attachments;

import io.vertx.core.http.HttpServerRequest;

/**
 * A single {@code Range: bytes=…} of a request (RFC 9110 §14): {@code a-b}, {@code a-} or {@code
 * -n}. Several ranges, another unit, a malformed header or an {@code If-Range} that is not the
 * current ETag answer the whole file.
 */
final class ByteRange {
  /** A range that lies wholly past the end: 416. */
  static final long[] UNSATISFIABLE = new long[0];

  private ByteRange() {}

  /** {first, last} inclusive; null for the whole file; {@link #UNSATISFIABLE}. */
  static long[] of(HttpServerRequest request, long size, String etag) {
    String header = request.getHeader("Range");
    if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
      return null;
    }
    String ifRange = request.getHeader("If-Range");
    if (ifRange != null && !ifRange.equals(etag)) {
      return null;
    }
    String spec = header.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String a = spec.substring(0, dash).trim();
      String b = spec.substring(dash + 1).trim();
      if (a.isEmpty()) {
        long suffix = Long.parseLong(b);
        if (suffix <= 0) {
          return UNSATISFIABLE;
        }
        return new long[] {Math.max(0, size - suffix), size - 1};
      }
      long first = Long.parseLong(a);
      long last = b.isEmpty() ? size - 1 : Math.min(Long.parseLong(b), size - 1);
      if (first >= size) {
        return UNSATISFIABLE;
      }
      if (last < first) {
        return null;
      }
      return new long[] {first, last};
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
