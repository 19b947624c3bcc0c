package dev.bulwark.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** A parsed {@code postgresql://user:password@host:port/database?sslmode=...} URL. */
public record DatabaseUrl(String host, int port, String database, String user, String password, String sslMode) {

  /** Parses the URL or throws {@link IllegalArgumentException} with a message safe to show (no password). */
  public static DatabaseUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL (expected postgresql://user:password@host:5432/database)");
    }
    String scheme = uri.getScheme();
    if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
      throw new IllegalArgumentException("scheme must be postgresql:// (was " + (scheme == null ? "missing" : scheme + "://") + ")");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("missing host (expected postgresql://user:password@host:5432/database)");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (path.length() < 2) {
      throw new IllegalArgumentException("missing database name (expected postgresql://user:password@host:5432/database)");
    }
    String user = "postgres";
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    Map<String, String> query = new HashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
        }
      }
    }
    String sslMode = query.getOrDefault("sslmode", "disable");
    if (!sslMode.matches("disable|allow|prefer|require|verify-ca|verify-full")) {
      throw new IllegalArgumentException("unknown sslmode '" + sslMode + "'");
    }
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range (1 to 65535)");
    }
    return new DatabaseUrl(uri.getHost(), port, decode(path.substring(1)), user, password, sslMode);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?sslmode=" + sslMode;
  }

  /** The URL with the password masked, for logs. */
  public String redacted() {
    return "postgresql://" + user + (password == null ? "" : ":***") + "@" + host + ":" + port + "/" + database;
  }

  @Override
  public String toString() {
    return redacted();
  }
}
