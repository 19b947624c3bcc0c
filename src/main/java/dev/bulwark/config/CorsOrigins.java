package dev.bulwark.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The browser origins allowed to call the API: {@code cors.origins}, plus the origin of {@code
 * cors.frontendUrl} ({@code FRONTEND_URL}, which a web front end's deployment guide usually sets
 * already) when given.
 */
final class CorsOrigins {
  private CorsOrigins() {}

  static List<String> read(ConfigReader r) {
    List<String> origins = new ArrayList<>(r.list("cors.origins"));
    String frontend = r.optionalString("cors.frontendUrl");
    if (frontend != null) {
      try {
        String origin = originOf(frontend);
        if (!origins.contains(origin)) {
          origins.add(origin);
        }
      } catch (IllegalArgumentException e) {
        r.problem("cors.frontendUrl", e.getMessage());
      }
    }
    return origins;
  }

  /**
   * What a browser sends as {@code Origin} for pages under {@code url}: scheme, host, and a
   * non-default port.
   */
  static String originOf(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL (expected https://app.example.com)");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new IllegalArgumentException(
          "must be an http:// or https:// URL (expected https://app.example.com)");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "must name a host and nothing before it (expected https://app.example.com)");
    }
    int port = uri.getPort();
    boolean defaultPort =
        port == -1
            || (scheme.equals("https") && port == 443)
            || (scheme.equals("http") && port == 80);
    return scheme
        + "://"
        + uri.getHost().toLowerCase(Locale.ROOT)
        + (defaultPort ? "" : ":" + port);
  }
}
