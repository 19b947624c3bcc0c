package dev.bulwark.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loads configuration with vertx-config, later sources winning: {@code conf/application.yaml} →
 * {@code conf/application-<env>.yaml} → environment variables → {@code -D} properties.
 *
 * <p>Environment variables are the conventional names in {@link ConfigKeys}; system properties use
 * the config key itself ({@code -Dhttp.port=9090}). The environment and properties are passed in,
 * so tests can give their own.
 */
public final class ConfigLoader {
  /**
   * Secrets the development profile generates per data folder ({@link DevSecrets}) when they are
   * not set: a constant in conf/ would be a published key. Staging and production require them from
   * the operator.
   */
  static final List<String> DEV_GENERATED_SECRETS =
      List.of("jwt.secret", "auth.passwordPepper", "mfa.encryptionKey");

  private final Vertx vertx;
  private final Path confDir;

  public ConfigLoader(Vertx vertx, Path confDir) {
    this.vertx = vertx;
    this.confDir = confDir;
  }

  public Future<BulwarkConfig> load(Map<String, String> env, Map<String, String> sysProps) {
    Environment environment = environment(env, sysProps);
    List<ConfigProblem> early = new ArrayList<>();
    if (environment == null) {
      early.add(
          new ConfigProblem(
              "environment",
              "unknown environment '"
                  + environmentName(env, sysProps)
                  + "' (expected development, staging or production)"));
    }
    Environment effective = environment == null ? Environment.PRODUCTION : environment;
    boolean chosen = firstNonBlank(sysProps.get("environment"), env.get("ENVIRONMENT")) != null;
    // validation may read key files, and development may write its secrets file: off the event loop
    return loadTree(env, sysProps)
        .compose(
            tree ->
                vertx.executeBlocking(
                    () -> {
                      List<ConfigProblem> problems = new ArrayList<>(early);
                      if (!chosen) {
                        List<ConfigProblem> unchosen = unchosenEnvironment(tree);
                        if (!unchosen.isEmpty()) {
                          // no profile applies, so nothing else can be judged: this is the one
                          // thing to fix
                          throw new ConfigException(unchosen);
                        }
                      }
                      if (effective == Environment.DEVELOPMENT && problems.isEmpty()) {
                        problems.addAll(fillDevSecrets(tree));
                      }
                      return BulwarkConfig.from(tree, effective, problems);
                    }));
  }

  /**
   * Development is the default so that a clone starts with no setup; but a deployment that forgot
   * ENVIRONMENT would then run the development profile (generated key, docs on, relaxed limits)
   * against its real database. A database outside this machine with no explicit ENVIRONMENT is
   * refused.
   */
  private static List<ConfigProblem> unchosenEnvironment(JsonObject tree) {
    Object url = new ConfigReader(tree).raw("database.url");
    if (url == null || url.toString().isBlank()) {
      return List.of();
    }
    String host;
    try {
      host = DatabaseUrl.parse(url.toString().trim()).host();
    } catch (IllegalArgumentException e) {
      return List.of(); // reported as database.url's own problem
    }
    if (isLoopback(host)) {
      return List.of();
    }
    return List.of(
        new ConfigProblem(
            "environment",
            "ENVIRONMENT is not set, so the development profile would run "
                + "against the database at "
                + host
                + ", which is not on this machine. Set ENVIRONMENT=production (or "
                + "staging) for a deployment, or ENVIRONMENT=development to develop against that database on purpose"));
  }

  /**
   * {@code localhost}, or a literal address in 127.0.0.0/8, ::1 or the any-address (no name is
   * looked up).
   */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    if (!h.matches("[0-9.]+") && !h.matches("[0-9a-f:.]*:[0-9a-f:.]*")) {
      return false;
    }
    try {
      InetAddress address = InetAddress.getByName(h);
      return address.isLoopbackAddress() || address.isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Development: each unset secret in {@link #DEV_GENERATED_SECRETS} comes from the data folder's
   * secrets file.
   */
  private static List<ConfigProblem> fillDevSecrets(JsonObject tree) {
    ConfigReader r = new ConfigReader(tree);
    List<String> unset =
        DEV_GENERATED_SECRETS.stream()
            .filter(
                key -> {
                  Object v = r.raw(key);
                  return v == null || v.toString().isBlank();
                })
            .toList();
    if (unset.isEmpty()) {
      return List.of();
    }
    Path dataDir = DevServicesConfig.read(r).dataDir();
    try {
      DevSecrets.ensure(dataDir, unset).forEach((key, value) -> put(tree, key, value));
      return List.of();
    } catch (IOException | RuntimeException e) {
      return List.of(
          new ConfigProblem(
              "devServices.dataDir",
              "cannot keep the development secrets in "
                  + dataDir.resolve(DevSecrets.FILE_NAME)
                  + ": "
                  + e.getMessage()
                  + " (make the folder writable, or set "
                  + unset.stream()
                      .map(
                          k -> ConfigKeys.envVarFor(k) == null ? "-D" + k : ConfigKeys.envVarFor(k))
                      .collect(java.util.stream.Collectors.joining(", "))
                  + ")"));
    }
  }

  /**
   * What {@code check-config} shows: the merged tree with every value the typed configuration reads
   * replaced by the value it took — numbers and booleans typed, computed defaults such as {@code
   * http.instances}, {@code hasher.instances} and {@code hasher.queueCapacity} filled in. Keys the
   * configuration does not read stay as written. Validation problems are left to {@link #load}.
   */
  public Future<JsonObject> loadEffective(Map<String, String> env, Map<String, String> sysProps) {
    Environment environment = environment(env, sysProps);
    return loadTree(env, sysProps)
        .compose(
            tree ->
                vertx.executeBlocking(
                    () -> {
                      ConfigReader reader = new ConfigReader(tree);
                      try {
                        BulwarkConfig.from(
                            reader,
                            environment == null ? Environment.PRODUCTION : environment,
                            List.of());
                      } catch (ConfigException e) {
                        // reported by load(); what was read is still worth showing
                      }
                      return tree.copy().mergeIn(reader.effective(), true);
                    }));
  }

  /** The merged tree before validation. */
  public Future<JsonObject> loadTree(Map<String, String> env, Map<String, String> sysProps) {
    Environment environment = environment(env, sysProps);
    Environment effective = environment == null ? Environment.PRODUCTION : environment;
    ConfigRetrieverOptions options =
        new ConfigRetrieverOptions()
            .setScanPeriod(-1)
            .addStore(yaml(confDir.resolve("application.yaml"), false))
            .addStore(yaml(confDir.resolve("application-" + effective.id() + ".yaml"), true))
            .addStore(new ConfigStoreOptions().setType("json").setConfig(envLayer(env)))
            .addStore(new ConfigStoreOptions().setType("json").setConfig(sysLayer(sysProps)));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever
        .getConfig()
        .recover(
            err ->
                Future.failedFuture(
                    new ConfigException(
                        List.of(
                            new ConfigProblem(
                                "conf",
                                "cannot read configuration files in "
                                    + confDir
                                    + ": "
                                    + err.getMessage())))))
        .eventually(retriever::close);
  }

  private static String environmentName(Map<String, String> env, Map<String, String> sysProps) {
    return firstNonBlank(sysProps.get("environment"), env.get("ENVIRONMENT"), "development");
  }

  private static Environment environment(Map<String, String> env, Map<String, String> sysProps) {
    return Environment.parse(environmentName(env, sysProps)).orElse(null);
  }

  private ConfigStoreOptions yaml(Path file, boolean optional) {
    return new ConfigStoreOptions()
        .setType("file")
        .setFormat("yaml")
        .setOptional(optional)
        .setConfig(new JsonObject().put("path", file.toString()));
  }

  /**
   * Conventional variable names ({@code HTTP_PORT}) placed at their config keys ({@code
   * http.port}).
   */
  static JsonObject envLayer(Map<String, String> env) {
    JsonObject layer = new JsonObject();
    ConfigKeys.envToKey()
        .forEach(
            (var, key) -> {
              String value = env.get(var);
              if (value != null) {
                put(layer, key, value);
              }
            });
    return layer;
  }

  /** {@code -D} properties whose names are config keys under a known section. */
  static JsonObject sysLayer(Map<String, String> props) {
    JsonObject layer = new JsonObject();
    props.forEach(
        (name, value) -> {
          String section = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
          if (SECTIONS.contains(section)) {
            put(layer, name, value);
          }
        });
    return layer;
  }

  private static final List<String> SECTIONS =
      List.of(
          "environment",
          "http",
          "database",
          "redis",
          "devServices",
          "jwt",
          "auth",
          "hasher",
          "cors",
          "docs",
          "rateLimit",
          "logging",
          "tasks",
          "shutdown",
          "metrics",
          "retention",
          "admin",
          "outbox",
          "mail",
          "sms",
          "links",
          "storage",
          "tracing",
          "sentry");

  private static void put(JsonObject root, String dottedKey, String value) {
    String[] parts = dottedKey.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    node.put(parts[parts.length - 1], value);
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  /** The conf directory: {@code BULWARK_CONF_DIR} if set, else {@code ./conf}. */
  public static Path defaultConfDir(Map<String, String> env) {
    String dir = env.get("BULWARK_CONF_DIR");
    Path path = Path.of(dir == null || dir.isBlank() ? "conf" : dir);
    return Files.isDirectory(path) ? path : Path.of("conf");
  }
}
