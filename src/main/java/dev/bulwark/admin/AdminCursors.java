package dev.bulwark.admin;

import dev.bulwark.core.Failure;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque, tamper-evident page cursors of the administration lists: base64url of {@code list ‖
 * filters ‖ position} (text, {@code \n}-separated) plus a 128-bit HMAC-SHA256 tag under a key
 * derived from the JWT secret ({@code HMAC(secret, "bulwark-admin-cursor")}). A cursor carries the
 * filters it was made under: presented with other filters, or to the other list, it is refused (400
 * {@code invalid_cursor}) rather than silently paging a different result. One instance per HTTP
 * verticle ({@link Mac} is not thread-safe).
 */
final class AdminCursors {
  private static final int TAG = 16;
  private static final int MAX_ENCODED = 1024;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final Failure INVALID =
      Failure.validation(
          "cursor", "invalid_cursor", "'cursor' is not a cursor of this list with these filters.");

  private final Mac mac;

  AdminCursors(String secret) {
    try {
      Mac derive = Mac.getInstance("HmacSHA256");
      derive.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] key = derive.doFinal("bulwark-admin-cursor".getBytes(StandardCharsets.UTF_8));
      this.mac = Mac.getInstance("HmacSHA256");
      this.mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /**
   * A cursor after {@code position} (its fields, in order) in {@code list} under {@code filters}.
   */
  String encode(String list, String filters, List<String> position) {
    byte[] body =
        (list + "\n" + filters + "\n" + String.join("\n", position))
            .getBytes(StandardCharsets.UTF_8);
    byte[] tag = Arrays.copyOf(mac.doFinal(body), TAG);
    byte[] out = Arrays.copyOf(body, body.length + TAG);
    System.arraycopy(tag, 0, out, body.length, TAG);
    return ENCODER.encodeToString(out);
  }

  /**
   * The position fields of a cursor made for {@code list} under {@code filters}; fails with 400
   * {@code invalid_cursor} for anything else.
   */
  List<String> decode(String cursor, String list, String filters, int fields) {
    if (cursor.length() > MAX_ENCODED) {
      throw INVALID;
    }
    byte[] raw;
    try {
      raw = DECODER.decode(cursor);
    } catch (IllegalArgumentException e) {
      throw INVALID;
    }
    if (raw.length <= TAG) {
      throw INVALID;
    }
    byte[] body = Arrays.copyOf(raw, raw.length - TAG);
    byte[] tag = Arrays.copyOfRange(raw, raw.length - TAG, raw.length);
    if (!MessageDigest.isEqual(tag, Arrays.copyOf(mac.doFinal(body), TAG))) {
      throw INVALID;
    }
    List<String> parts = List.of(new String(body, StandardCharsets.UTF_8).split("\n", -1));
    if (parts.size() != 2 + fields || !parts.get(0).equals(list) || !parts.get(1).equals(filters)) {
      throw INVALID;
    }
    return parts.subList(2, parts.size());
  }
}
