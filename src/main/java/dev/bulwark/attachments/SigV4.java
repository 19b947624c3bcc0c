package dev.bulwark.attachments;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4, for a header ({@code Authorization}) or a query string (a presigned
 * URL). Header names are given lower-case; every header given is signed. Paths are encoded once per
 * segment, as S3 wants (other services encode twice; nothing here calls them).
 */
final class SigV4 {
  static final String ALGORITHM = "AWS4-HMAC-SHA256";
  static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final HexFormat HEX = HexFormat.of();

  private final String accessKeyId;
  private final byte[] secret;
  private final String region;
  private final String service;

  SigV4(String accessKeyId, String secretAccessKey, String region, String service) {
    this.accessKeyId = accessKeyId;
    this.secret = ("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8);
    this.region = region;
    this.service = service;
  }

  static String amzDate(Instant at) {
    return AMZ_DATE.format(at);
  }

  /**
   * The {@code Authorization} header value. {@code headers} must hold {@code host} and {@code
   * x-amz-date} (= {@link #amzDate}{@code (at)}), and, for S3, {@code x-amz-content-sha256}.
   */
  String authorization(
      String method,
      String path,
      Map<String, String> query,
      Map<String, String> headers,
      String payloadHash,
      Instant at) {
    TreeMap<String, String> sorted = new TreeMap<>(headers);
    String signedHeaders = String.join(";", sorted.keySet());
    String signature = signature(method, path, canonicalQuery(query), sorted, payloadHash, at);
    return ALGORITHM
        + " Credential="
        + accessKeyId
        + "/"
        + scope(at)
        + ", SignedHeaders="
        + signedHeaders
        + ", Signature="
        + signature;
  }

  /**
   * The query string of a presigned URL (encoded, without {@code ?}): {@code query} plus the {@code
   * X-Amz-*} parameters and the signature. Every header in {@code headers} (at least {@code host})
   * must then be sent exactly so.
   */
  String presign(
      String method,
      String path,
      Map<String, String> query,
      Map<String, String> headers,
      String sessionToken,
      String payloadHash,
      Instant at,
      Duration ttl) {
    TreeMap<String, String> sorted = new TreeMap<>(headers);
    Map<String, String> all = new TreeMap<>(query);
    all.put("X-Amz-Algorithm", ALGORITHM);
    all.put("X-Amz-Credential", accessKeyId + "/" + scope(at));
    all.put("X-Amz-Date", amzDate(at));
    all.put("X-Amz-Expires", Long.toString(ttl.toSeconds()));
    if (sessionToken != null) {
      all.put("X-Amz-Security-Token", sessionToken);
    }
    all.put("X-Amz-SignedHeaders", String.join(";", sorted.keySet()));
    String canonicalQuery = canonicalQuery(all);
    return canonicalQuery
        + "&X-Amz-Signature="
        + signature(method, path, canonicalQuery, sorted, payloadHash, at);
  }

  private String signature(
      String method,
      String path,
      String canonicalQuery,
      TreeMap<String, String> headers,
      String payloadHash,
      Instant at) {
    StringBuilder canonical = new StringBuilder(256);
    canonical.append(method).append('\n').append(encodePath(path)).append('\n');
    canonical.append(canonicalQuery).append('\n');
    for (Map.Entry<String, String> h : headers.entrySet()) {
      canonical.append(h.getKey()).append(':').append(trim(h.getValue())).append('\n');
    }
    canonical.append('\n').append(String.join(";", headers.keySet())).append('\n');
    canonical.append(payloadHash);
    String toSign =
        ALGORITHM
            + "\n"
            + amzDate(at)
            + "\n"
            + scope(at)
            + "\n"
            + sha256Hex(canonical.toString().getBytes(StandardCharsets.UTF_8));
    String date = amzDate(at).substring(0, 8);
    byte[] key = hmac(hmac(hmac(hmac(secret, date), region), service), "aws4_request");
    return HEX.formatHex(hmac(key, toSign));
  }

  private String scope(Instant at) {
    return amzDate(at).substring(0, 8) + "/" + region + "/" + service + "/aws4_request";
  }

  private static String canonicalQuery(Map<String, String> query) {
    TreeMap<String, String> encoded = new TreeMap<>();
    query.forEach((k, v) -> encoded.put(encode(k), encode(v == null ? "" : v)));
    StringBuilder out = new StringBuilder();
    encoded.forEach(
        (k, v) -> {
          if (out.length() > 0) {
            out.append('&');
          }
          out.append(k).append('=').append(v);
        });
    return out.toString();
  }

  /** Each segment percent-encoded (RFC 3986 unreserved characters kept), the slashes kept. */
  static String encodePath(String path) {
    String[] segments = path.split("/", -1);
    StringBuilder out = new StringBuilder(path.length() + 16);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      out.append(encode(segments[i]));
    }
    return out.toString();
  }

  /** RFC 3986 percent-encoding of everything but {@code A-Z a-z 0-9 - _ . ~}, in UTF-8. */
  static String encode(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_'
          || c == '.'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  private static String trim(String value) {
    return value.trim().replaceAll(" +", " ");
  }

  static String sha256Hex(byte[] data) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
