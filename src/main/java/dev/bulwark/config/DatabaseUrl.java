package dev.bulwark.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed {@code postgresql://user:password@host:port/database?sslmode=...&sslrootcert=...} URL.
 * {@code sslMode} is libpq's: {@code disable}; {@code allow}, {@code prefer}, {@code require}
 * (encrypted, the server not verified); {@code verify-ca} (its certificate chains to a trusted CA);
 * {@code verify-full} (and names this host). {@code sslRootCert} is a PEM file of the CAs to trust,
 * or null for the JVM's trust store ({@code sslrootcert=system} says the same).
 */
public record DatabaseUrl(
    String host,
    int port,
    String database,
    String user,
    String password,
    String sslMode,
    String sslRootCert) {

  public DatabaseUrl(
      String host, int port, String database, String user, String password, String sslMode) {
    this(host, port, database, user, password, sslMode, null);
  }

  /**
   * Parses the URL or throws {@link IllegalArgumentException} with a message safe to show (no
   * password).
   */
  public static DatabaseUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "not a URL (expected postgresql://user:password@host:5432/database)");
    }
    String scheme = uri.getScheme();
    if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
      throw new IllegalArgumentException(
          "scheme must be postgresql:// (was "
              + (scheme == null ? "missing" : scheme + "://")
              + ")");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException(
          "missing host (expected postgresql://user:password@host:5432/database)");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    if (path.length() < 2) {
      throw new IllegalArgumentException(
          "missing database name (expected postgresql://user:password@host:5432/database)");
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
    String rootCert = query.get("sslrootcert");
    if (rootCert != null && (rootCert.isBlank() || rootCert.equals("system"))) {
      rootCert = null;
    }
    return new DatabaseUrl(
        uri.getHost(), port, decode(path.substring(1)), user, password, sslMode, rootCert);
  }

  /**
   * The server's certificate is checked against trusted CAs ({@code verify-ca}, {@code
   * verify-full}).
   */
  public boolean verifiesServer() {
    return sslMode.startsWith("verify-");
  }

  /**
   * Every connection is TLS ({@code require} and stricter); {@code allow} and {@code prefer} may
   * fall back to plain.
   */
  public boolean requiresTls() {
    return sslMode.equals("require") || verifiesServer();
  }

  public DatabaseUrl withSslRootCert(String pemFile) {
    return new DatabaseUrl(host, port, database, user, password, sslMode, pemFile);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /**
   * The same connection for the JDBC driver (Flyway). When verifying, the CAs are {@code
   * sslRootCert}, or the JVM's trust store, as for the pool (the driver's own default would be
   * {@code ~/.postgresql/root.crt}).
   */
  public String jdbcUrl() {
    String url = "jdbc:postgresql://" + host + ":" + port + "/" + database + "?sslmode=" + sslMode;
    if (!verifiesServer()) {
      return url;
    }
    return sslRootCert != null
        ? url + "&sslrootcert=" + URLEncoder.encode(sslRootCert, StandardCharsets.UTF_8)
        : url + "&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory";
  }

  /** The URL with the password masked, for logs. */
  public String redacted() {
    return "postgresql://"
        + user
        + (password == null ? "" : ":***")
        + "@"
        + host
        + ":"
        + port
        + "/"
        + database;
  }

  @Override
  public String toString() {
    return redacted();
  }
}
