package dev.bulwark.testing;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * The one server lifecycle of the test suite (see {@link BulwarkTest}): one {@link TestServer} per
 * distinct configuration, kept in the root context's store so that JUnit closes it once, after the
 * last class that used it.
 */
public final class TestServers implements BeforeAllCallback {
  private static final Namespace NAMESPACE = Namespace.create(TestServers.class);

  @Override
  public void beforeAll(ExtensionContext context) throws IllegalAccessException {
    Class<?> testClass = context.getRequiredTestClass();
    BulwarkTest spec = testClass.getAnnotation(BulwarkTest.class);
    Map<String, String> env = pairs(spec == null ? new String[0] : spec.env());
    Map<String, String> props = pairs(spec == null ? new String[0] : spec.props());
    String key = "env" + env + " props" + props;
    if (Boolean.getBoolean("bulwark.test.serverPerClass")) {
      key += " for " + testClass.getName(); // the old lifecycle, kept to measure what sharing saves
    }
    Shared shared =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(key, k -> new Shared(start(env, props)), Shared.class);
    for (Field field : testClass.getDeclaredFields()) {
      if (field.isAnnotationPresent(BulwarkTest.Server.class)) {
        if (!Modifier.isStatic(field.getModifiers()) || field.getType() != TestServer.class) {
          throw new IllegalStateException(field + ": @Server fields are static TestServer fields");
        }
        field.setAccessible(true);
        field.set(null, shared.server);
      }
    }
  }

  private static TestServer start(Map<String, String> env, Map<String, String> props) {
    Map<String, String> all = TestServer.baseEnv();
    all.putAll(env);
    return TestServer.start(all, props);
  }

  private static Map<String, String> pairs(String[] entries) {
    Map<String, String> out = new TreeMap<>();
    for (String entry : List.of(entries)) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "expected NAME=value, got '" + entry + "' in " + Arrays.toString(entries));
      }
      out.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    return out;
  }

  /** Closed by JUnit when the root context ends, i.e. after every class of the run. */
  private record Shared(TestServer server) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      server.close();
    }
  }
}
