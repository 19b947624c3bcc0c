package dev.bulwark.tasks;

import dev.bulwark.core.Failure;
import dev.bulwark.core.FieldError;
import java.util.Arrays;
import java.util.List;

/**
 * An {@code If-Match} / {@code If-None-Match} header against a task's version. Tasks send the
 * strong ETag {@code "<version>"}; {@code W/"<version>"} is accepted too (clients and proxies
 * weaken tags), as are lists and {@code *} (any existing task). A well-formed tag that is not a
 * version simply never matches.
 */
public record VersionPrecondition(boolean any, int[] versions) {

  /**
   * Null when the header is absent; 400 {@code invalid_precondition} when it is not a list of
   * entity tags.
   */
  public static VersionPrecondition parse(List<String> headerValues, String header) {
    if (headerValues.isEmpty()) {
      return null;
    }
    String value = String.join(",", headerValues).trim();
    if (value.equals("*")) {
      return new VersionPrecondition(true, null);
    }
    int[] found = new int[8];
    int count = 0;
    boolean any = false;
    for (String part : value.split(",", -1)) {
      String tag = part.trim();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.length() < 2
          || tag.charAt(0) != '"'
          || tag.charAt(tag.length() - 1) != '"'
          || tag.substring(1, tag.length() - 1).indexOf('"') >= 0) {
        throw invalid(header);
      }
      any = true;
      String opaque = tag.substring(1, tag.length() - 1);
      if (!opaque.isEmpty()
          && opaque.length() <= 9
          && opaque.chars().allMatch(c -> c >= '0' && c <= '9')) {
        if (count == found.length) {
          found = Arrays.copyOf(found, count * 2);
        }
        found[count++] = Integer.parseInt(opaque);
      }
    }
    if (!any) {
      throw invalid(header);
    }
    return new VersionPrecondition(false, Arrays.copyOf(found, count));
  }

  public boolean matches(int version) {
    if (any) {
      return true;
    }
    for (int v : versions) {
      if (v == version) {
        return true;
      }
    }
    return false;
  }

  /** The versions an update may apply to, or null for "any version". */
  int[] versionsOrNull() {
    return any ? null : versions;
  }

  private static Failure invalid(String header) {
    String detail = "'" + header + "' must be * or a list of entity tags such as \"3\".";
    return Failure.invalid(
        "invalid_precondition", detail, List.of(new FieldError(header, "invalid_format", detail)));
  }
}
