package dev.bulwark.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.bulwark.core.Failure;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The request body as a JSON object, or the precise 4xx for why it is not one. Parsed strictly (RFC
 * 8259): no comments (the shared Vert.x parser allows them) and no member named twice, which
 * parsers elsewhere would read as the first and Jackson as the last.
 */
public final class JsonBody {
  private static final JsonFactory STRICT =
      JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private JsonBody() {}

  public static JsonObject object(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !isJson(type, "application/json")) {
      throw Failure.of(
          Failure.Kind.UNSUPPORTED_MEDIA_TYPE,
          "unsupported_media_type",
          "The body must be sent as Content-Type: application/json.");
    }
    return parse(ctx);
  }

  /**
   * A JSON merge patch (RFC 7396): {@code application/merge-patch+json}, or plain {@code
   * application/json}.
   */
  public static JsonObject mergePatch(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null
        || !(isJson(type, "application/merge-patch+json") || isJson(type, "application/json"))) {
      throw Failure.of(
          Failure.Kind.UNSUPPORTED_MEDIA_TYPE,
          "unsupported_media_type",
          "The body must be sent as Content-Type: application/merge-patch+json (or application/json).");
    }
    return parse(ctx);
  }

  private static JsonObject parse(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw Failure.invalid("missing_body", "A JSON object body is required.");
    }
    if (!isUtf8(body)) {
      throw Failure.invalid("malformed_json", "The request body is not valid JSON (UTF-8).");
    }
    Object parsed;
    try {
      parsed = JacksonCodec.fromParser(STRICT.createParser(body.getBytes()), Object.class);
    } catch (DecodeException | IOException | IllegalArgumentException e) {
      if (isDuplicate(e)) {
        throw Failure.invalid(
            "malformed_json", "A member appears more than once in a JSON object.");
      }
      throw Failure.invalid("malformed_json", "The request body is not valid JSON (UTF-8).");
    }
    if (!(parsed instanceof JsonObject obj)) {
      throw Failure.invalid("malformed_json", "The request body must be a JSON object.");
    }
    return obj;
  }

  private static boolean isDuplicate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().startsWith("Duplicate field")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Strict UTF-8: the JSON parser on its own lets overlong forms (C0 AF for '/'), encoded
   * surrogates and code points past U+10FFFF through as characters.
   */
  private static boolean isUtf8(Buffer body) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(body.getBytes()));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** {@code application/json}, optionally with parameters such as {@code charset=utf-8}. */
  static boolean isJson(String contentType) {
    return isJson(contentType, "application/json");
  }

  /** The media type {@code expected}, optionally with parameters such as {@code charset=utf-8}. */
  static boolean isJson(String contentType, String expected) {
    int semi = contentType.indexOf(';');
    String media = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    if (!media.equalsIgnoreCase(expected)) {
      return false;
    }
    if (semi < 0) {
      return true;
    }
    String params = contentType.substring(semi + 1).trim().toLowerCase(java.util.Locale.ROOT);
    return !params.startsWith("charset=") || params.matches("charset=\"?utf-8\"?");
  }
}
