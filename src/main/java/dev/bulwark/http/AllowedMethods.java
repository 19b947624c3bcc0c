package dev.bulwark.http;

import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which methods each declared path accepts, for the {@code Allow} header of a 405; and which paths
 * are hidden (their wrong methods answer 404 like an unknown path, not 405 naming the right ones).
 */
public final class AllowedMethods {
  private record Entry(Pattern path, HttpMethod method) {}

  private final List<Entry> entries = new ArrayList<>();
  private final List<Pattern> hidden = new ArrayList<>();

  /** Registers a Vert.x path template such as {@code /api/v1/tasks/:id}. */
  public void add(HttpMethod method, String template) {
    entries.add(new Entry(pattern(template), method));
  }

  /** A path template whose existence is not told to callers who may not use it. */
  public void hide(String template) {
    hidden.add(pattern(template));
  }

  public boolean isHidden(String path) {
    for (Pattern p : hidden) {
      if (p.matcher(path).matches()) {
        return true;
      }
    }
    return false;
  }

  private static Pattern pattern(String template) {
    return Pattern.compile(Pattern.quote(template).replaceAll(":[A-Za-z_]+", "\\\\E[^/]+\\\\Q"));
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
