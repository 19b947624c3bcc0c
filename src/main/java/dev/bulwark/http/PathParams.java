package dev.bulwark.http;

import dev.bulwark.core.Failure;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;

/** Path parameters every feature reads the same way. */
public final class PathParams {
  private PathParams() {}

  /**
   * A UUID in its canonical 8-4-4-4-12 hex form (any case), else 400 {@code invalid_uuid} naming
   * the parameter.
   */
  public static UUID uuid(RoutingContext ctx, String name) {
    String raw = ctx.pathParam(name);
    if (raw != null && raw.length() == 36) {
      boolean ok = true;
      for (int i = 0; i < 36 && ok; i++) {
        char c = raw.charAt(i);
        ok =
            (i == 8 || i == 13 || i == 18 || i == 23)
                ? c == '-'
                : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      }
      if (ok) {
        return UUID.fromString(raw);
      }
    }
    throw Failure.validation(name, "invalid_uuid", "'" + name + "' must be a UUID.");
  }
}
