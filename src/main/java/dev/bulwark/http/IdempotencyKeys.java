package dev.bulwark.http;

import dev.bulwark.core.Failure;
import dev.bulwark.core.FieldError;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** The {@code Idempotency-Key} request header, as every create route reads it. */
public final class IdempotencyKeys {
  public static final String HEADER = "Idempotency-Key";

  private IdempotencyKeys() {}

  /** Absent → null; else sent once, 1–255 visible ASCII characters, or 400. */
  public static String of(RoutingContext ctx) {
    List<String> values = ctx.request().headers().getAll(HEADER);
    if (values.isEmpty()) {
      return null;
    }
    String key = values.get(0);
    boolean ok =
        values.size() == 1
            && !key.isEmpty()
            && key.length() <= 255
            && key.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    if (!ok) {
      String detail = "'Idempotency-Key' must be sent once, as 1 to 255 visible ASCII characters.";
      throw Failure.invalid(
          "invalid_idempotency_key",
          detail,
          List.of(new FieldError(HEADER, "invalid_format", detail)));
    }
    return key;
  }
}
