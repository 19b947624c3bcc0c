package dev.bulwark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.Await;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * conf/application.yaml documents exactly the knobs the typed configuration reads: every key in the
 * conf files is read, and every key read is in application.yaml — live with its default, or, for a
 * knob without one, commented out in the file's convention {@code # key: example # what it does}.
 * The keys read are what {@link ConfigReader} was asked for while building configurations that take
 * every branch (development, production, RS256 with a rotation key).
 */
class ConfKeysDocumentedTest {
  private static final Path CONF = Path.of("conf");

  /**
   * Chosen by ConfigLoader before any file is read (it picks the profile file), so no reader asks
   * for it.
   */
  private static final Set<String> READ_BY_THE_LOADER = Set.of("environment");

  private static final Pattern KEY_LINE = Pattern.compile("^( *)(# )?([a-z][A-Za-z0-9]*):(.*)$");
  private static final Pattern ENV = Pattern.compile("env: ([A-Z][A-Z0-9_]*)");

  private static Vertx vertx;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  /**
   * A key line of application.yaml: its dotted key, whether it is commented out, and its trailing
   * comment.
   */
  private record KeyLine(String key, boolean commented, String comment) {}

  private static List<KeyLine> keyLines() throws Exception {
    List<KeyLine> out = new java.util.ArrayList<>();
    Deque<Map.Entry<Integer, String>> parents = new ArrayDeque<>();
    for (String line : Files.readAllLines(CONF.resolve("application.yaml"))) {
      Matcher m = KEY_LINE.matcher(line);
      if (!m.matches()) {
        continue;
      }
      boolean commented = m.group(2) != null;
      int hash = m.group(4).indexOf('#');
      if (commented && hash < 0) {
        continue; // prose that happens to start with "word:", not a commented-out knob
      }
      int indent = m.group(1).length();
      while (!parents.isEmpty() && parents.peek().getKey() >= indent) {
        parents.pop();
      }
      StringBuilder key = new StringBuilder();
      parents.descendingIterator().forEachRemaining(p -> key.append(p.getValue()).append('.'));
      key.append(m.group(3));
      out.add(new KeyLine(key.toString(), commented, hash < 0 ? "" : m.group(4).substring(hash)));
      if (!commented) {
        parents.push(Map.entry(indent, m.group(3)));
      }
    }
    return out;
  }

  private static JsonObject yaml(Path file) {
    ConfigRetriever retriever =
        ConfigRetriever.create(
            vertx,
            new ConfigRetrieverOptions()
                .setScanPeriod(-1)
                .addStore(
                    new ConfigStoreOptions()
                        .setType("file")
                        .setFormat("yaml")
                        .setConfig(new JsonObject().put("path", file.toString()))));
    try {
      return Await.result(retriever.getConfig());
    } finally {
      retriever.close();
    }
  }

  /** Every leaf key with a value; a list (the rate-limit rules) is one value. */
  private static void leaves(JsonObject node, String prefix, Set<String> out) {
    for (String name : node.fieldNames()) {
      Object v = node.getValue(name);
      String key = prefix + name;
      if (v instanceof JsonObject child) {
        leaves(child, key + ".", out);
      } else if (v != null) {
        out.add(key);
      }
    }
  }

  private static Set<String> asked() throws Exception {
    ConfigLoader loader = new ConfigLoader(vertx, CONF);
    Map<String, String> production =
        Map.of(
            "ENVIRONMENT",
            "production",
            "DATABASE_URL",
            "postgresql://a:b@db/app",
            "REDIS_URL",
            "redis://cache:6379",
            "JWT_SECRET_KEY",
            "q8V2mT7rXw4nLp9sKd3hFj6bGz1cYe5aRu0oPl2Nx",
            "PASSWORD_PEPPER",
            "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb",
            "MFA_ENCRYPTION_KEY",
            "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9",
            "SMTP_URL",
            "smtp://mail.example.com:587",
            "PUBLIC_BASE_URL",
            "https://app.example.com");
    KeyPair current = ecKeys();
    Map<String, String> rotating = new HashMap<>(production);
    rotating.putAll(
        Map.of(
            "JWT_ALGORITHM",
            "ES256",
            "JWT_PRIVATE_KEY",
            pem("PRIVATE KEY", current.getPrivate().getEncoded()),
            "JWT_PUBLIC_KEY",
            pem("PUBLIC KEY", current.getPublic().getEncoded()),
            "JWT_PREVIOUS_PUBLIC_KEYS",
            "old=" + pem("PUBLIC KEY", ecKeys().getPublic().getEncoded())));
    Set<String> asked = new TreeSet<>();
    // development's generated secrets are filled in by load(), not loadTree(): given here as they
    // would be
    Map<String, String> development =
        Map.of(
            "PASSWORD_PEPPER",
            "W3nR8tYq2LzX6vBd1KpM9sHf4JcGe7Ua0oTi5QxNb",
            "MFA_ENCRYPTION_KEY",
            "Zp4Kc9Lm2Qr7Tv1Xw6Yb3Nd8Fg5Hj0Ks2Lq7Mr4Nt9");
    for (var entry :
        List.of(
            Map.entry(Environment.DEVELOPMENT, development),
            Map.entry(Environment.PRODUCTION, production),
            Map.entry(Environment.PRODUCTION, rotating))) {
      ConfigReader reader =
          new ConfigReader(Await.result(loader.loadTree(entry.getValue(), Map.of())));
      BulwarkConfig.from(reader, entry.getKey(), List.of());
      asked.addAll(reader.askedKeys());
    }
    return asked;
  }

  @Test
  void everyKeyInTheConfFilesIsRead() throws Exception {
    Set<String> asked = asked();
    try (Stream<Path> files = Files.list(CONF)) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().matches("application.*\\.yaml")).toList()) {
        Set<String> present = new TreeSet<>();
        leaves(yaml(file), "", present);
        present.removeAll(asked);
        assertEquals(Set.of(), present, file + ": keys nothing reads (a knob that does nothing)");
      }
    }
  }

  @Test
  void everyKeyReadIsDocumentedInApplicationYaml() throws Exception {
    Set<String> documented = new TreeSet<>();
    keyLines().forEach(l -> documented.add(l.key()));
    Set<String> undocumented = new TreeSet<>(asked());
    undocumented.removeAll(documented);
    assertEquals(
        Set.of(), undocumented, "read by the typed config but not in conf/application.yaml");

    Set<String> commentedButUnread = new TreeSet<>();
    keyLines().stream().filter(KeyLine::commented).forEach(l -> commentedButUnread.add(l.key()));
    commentedButUnread.removeAll(asked());
    commentedButUnread.removeAll(READ_BY_THE_LOADER);
    assertEquals(
        Set.of(),
        commentedButUnread,
        "documented (commented out) in conf/application.yaml but never read");
  }

  @Test
  void everyEnvironmentVariableIsDocumentedAtItsKey() throws Exception {
    Map<String, String> documented = new TreeMap<>();
    for (KeyLine line : keyLines()) {
      Matcher m = ENV.matcher(line.comment());
      if (m.find()) {
        documented.put(m.group(1), line.key());
      }
    }
    String yaml = Files.readString(CONF.resolve("application.yaml"));
    for (var e : ConfigKeys.envToKey().entrySet()) {
      assertTrue(
          yaml.contains("env: " + e.getKey()),
          e.getKey() + " is not mentioned in conf/application.yaml");
      if (documented.containsKey(e.getKey())) {
        assertEquals(
            e.getValue(),
            documented.get(e.getKey()),
            e.getKey() + " is documented at the wrong key");
      }
    }
    documented
        .keySet()
        .forEach(
            var ->
                assertTrue(
                    ConfigKeys.envToKey().containsKey(var),
                    var + " is documented in conf/application.yaml but not read (ConfigKeys)"));
  }

  private static KeyPair ecKeys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }
}
