package dev.bulwark.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads configuration with vertx-config, later sources winning:
 * {@code conf/application.yaml} → {@code conf/application-<env>.yaml} → environment variables → {@code -D} properties.
 *
 * <p>Environment variables are the conventional names in {@link ConfigKeys}; system properties use the config key
 * itself ({@code -Dhttp.port=9090}). The environment and properties are passed in, so tests can give their own.
 */
public final class ConfigLoader {
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
      early.add(new ConfigProblem("environment", "unknown environment '" + environmentName(env, sysProps)
          + "' (expected development, staging or production)"));
    }
    Environment effective = environment == null ? Environment.PRODUCTION : environment;
    // validation may read key files: off the event loop
    return loadTree(env, sysProps).compose(tree -> vertx.executeBlocking(() -> BulwarkConfig.from(tree, effective, early)));
  }

  /** The merged tree before validation (what {@code check-config} shows). */
  public Future<JsonObject> loadTree(Map<String, String> env, Map<String, String> sysProps) {
    Environment environment = environment(env, sysProps);
    Environment effective = environment == null ? Environment.PRODUCTION : environment;
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(-1)
        .addStore(yaml(confDir.resolve("application.yaml"), false))
        .addStore(yaml(confDir.resolve("application-" + effective.id() + ".yaml"), true))
        .addStore(new ConfigStoreOptions().setType("json").setConfig(envLayer(env)))
        .addStore(new ConfigStoreOptions().setType("json").setConfig(sysLayer(sysProps)));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .recover(err -> Future.failedFuture(new ConfigException(List.of(
            new ConfigProblem("conf", "cannot read configuration files in " + confDir + ": " + err.getMessage())))))
        .eventually(retriever::close);
  }

  private static String environmentName(Map<String, String> env, Map<String, String> sysProps) {
    return firstNonBlank(sysProps.get("environment"), env.get("ENVIRONMENT"), "development");
  }

  private static Environment environment(Map<String, String> env, Map<String, String> sysProps) {
    return Environment.parse(environmentName(env, sysProps)).orElse(null);
  }

  private ConfigStoreOptions yaml(Path file, boolean optional) {
    return new ConfigStoreOptions().setType("file").setFormat("yaml").setOptional(optional)
        .setConfig(new JsonObject().put("path", file.toString()));
  }

  /** Conventional variable names ({@code HTTP_PORT}) placed at their config keys ({@code http.port}). */
  static JsonObject envLayer(Map<String, String> env) {
    JsonObject layer = new JsonObject();
    ConfigKeys.envToKey().forEach((var, key) -> {
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
    props.forEach((name, value) -> {
      String section = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
      if (SECTIONS.contains(section)) {
        put(layer, name, value);
      }
    });
    return layer;
  }

  private static final List<String> SECTIONS = List.of("environment", "http", "database", "redis", "devServices",
      "jwt", "auth", "hasher", "cors", "docs", "rateLimit", "logging", "tasks", "shutdown", "metrics",
      "retention");

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
