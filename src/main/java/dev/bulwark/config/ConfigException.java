package dev.bulwark.config;

import java.util.List;
import java.util.stream.Collectors;

/** Start-up refusal: carries every problem found, so an operator fixes them in one pass. */
public final class ConfigException extends RuntimeException {
  private final List<ConfigProblem> problems;

  public ConfigException(List<ConfigProblem> problems) {
    super(describe(problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String describe(List<ConfigProblem> problems) {
    return "invalid configuration ("
        + problems.size()
        + " problem"
        + (problems.size() == 1 ? "" : "s")
        + "):\n"
        + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n"));
  }
}
