package dev.bulwark.config;

import java.net.URI;
import java.net.URISyntaxException;

/** Validation and redaction of a {@code redis://[:password@]host:port[/db]} URL. */
public final class RedisUrl {
  private RedisUrl() {}

  /**
   * Throws {@link IllegalArgumentException} with a message safe to show when the URL is unusable.
   */
  public static void validate(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL (expected redis://host:6379)");
    }
    if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
      throw new IllegalArgumentException("scheme must be redis:// or rediss://");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("missing host (expected redis://host:6379)");
    }
    String path = uri.getPath();
    if (path != null && path.length() > 1 && !path.substring(1).matches("\\d{1,2}")) {
      throw new IllegalArgumentException("database must be a number (redis://host:6379/0)");
    }
  }

  /** {@code rediss://}: TLS. */
  public static boolean isTls(String url) {
    return url.startsWith("rediss://");
  }

  /** The host a (valid) URL names. */
  public static String host(String url) {
    return URI.create(url).getHost();
  }

  public static String redact(String url) {
    return url == null ? null : url.replaceAll("//([^@/]*)@", "//***@");
  }
}
