package dev.bulwark.http;

import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** Which methods each declared path accepts, for the {@code Allow} header of a 405. */
public final class AllowedMethods {
  private record Entry(Pattern path, HttpMethod method) {}

  private final List<Entry> entries = new ArrayList<>();

  /** Registers a Vert.x path template such as {@code /api/v1/tasks/:id}. */
  public void add(HttpMethod method, String template) {
    String regex = Pattern.quote(template).replaceAll(":[A-Za-z_]+", "\\\\E[^/]+\\\\Q");
    entries.add(new Entry(Pattern.compile(regex), method));
  }

  public Set<String> methodsFor(String path) {
    Set<String> methods = new TreeSet<>();
    for (Entry e : entries) {
      if (e.path().matcher(path).matches()) {
        methods.add(e.method().name());
      }
    }
    return methods;
  }

  public String allowHeader(String path) {
    Set<String> methods = new LinkedHashSet<>(methodsFor(path));
    methods.add("OPTIONS");
    return String.join(", ", methods);
  }
}
