package dev.bulwark.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The merged configuration tree as operators may see it: secrets and URL passwords masked. */
public final class EffectiveConfig {
  private EffectiveConfig() {}

  public static JsonObject redacted(JsonObject tree) {
    JsonObject copy = tree.copy();
    redactIn(copy, "");
    return copy;
  }

  private static String redactUrl(String s) {
    return s.replaceAll("//([^:@/,]*):([^@/]*)@", "//$1:***@")
        .replaceAll("//:([^@/]*)@", "//:***@");
  }

  private static void redactIn(JsonObject node, String path) {
    for (String name : node.fieldNames()) {
      Object value = node.getValue(name);
      String key = path.isEmpty() ? name : path + "." + name;
      if (value instanceof JsonObject child) {
        redactIn(child, key);
      } else if (value != null && ConfigKeys.isSecret(key)) {
        node.put(name, "***");
      } else if (value instanceof String s
          && (key.equals("database.url") || key.equals("redis.url"))) {
        node.put(name, redactUrl(s));
      } else if (key.equals("redis.nodes")) {
        // a list (YAML) or a comma-separated string (environment): each node's password goes
        node.put(
            name,
            value instanceof JsonArray nodes
                ? new JsonArray(nodes.stream().map(n -> redactUrl(String.valueOf(n))).toList())
                : redactUrl(value.toString()));
      }
    }
  }
}
