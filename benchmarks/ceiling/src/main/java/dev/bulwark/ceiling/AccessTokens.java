package dev.bulwark.ceiling;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HS256 access tokens with Bulwark's claims ({@code sub sid jti iat nbf exp iss aud typ=access}): verified and minted
 * with one {@link Mac} per verticle (a Mac is not thread-safe; this object never leaves its event loop). The same
 * checks as Bulwark's verification — algorithm pinned, signature, type, issuer, audience, expiry and not-before with
 * 5 s leeway, well-formed ids — without a JSON tree: the header is parsed once per distinct header, the claims are
 * read by a streaming parser.
 */
final class AccessTokens {
  private static final JsonFactory JSON = new JsonFactory();
  private static final Base64.Decoder B64 = Base64.getUrlDecoder();
  private static final Base64.Encoder B64OUT = Base64.getUrlEncoder().withoutPadding();
  private static final String BEARER = "Bearer ";
  private static final byte[] SUB = ascii("{\"sub\":");
  private static final byte[] SID = ascii(",\"sid\":");
  private static final byte[] JTI = ascii(",\"jti\":");
  private static final byte[] IAT = ascii(",\"iat\":");
  private static final byte[] NBF = ascii(",\"nbf\":");
  private static final byte[] EXP = ascii(",\"exp\":");
  private static final byte[] HEADER = B64OUT.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

  private final Mac mac;
  private final Settings settings;
  private final byte[] claimsTail;
  /** The last header segment seen to say HS256: every token of one issuer carries the same one. */
  private String acceptedHeader;

  /** Who a verified token speaks for. */
  record Principal(UUID userId, UUID sessionId, String jti, long issuedAt) {
  }

  AccessTokens(Settings settings) {
    this.settings = settings;
    try {
      mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(settings.jwtSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    claimsTail = (",\"iss\":" + quoted(settings.issuer()) + ",\"aud\":" + quoted(settings.audience())
        + ",\"typ\":\"access\"}").getBytes(StandardCharsets.UTF_8);
  }

  /** The principal of an {@code Authorization: Bearer} header, or null for anything that is not a valid token. */
  Principal verify(String authorization, long nowSeconds) {
    if (authorization == null || authorization.length() < BEARER.length() + 5
        || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    int start = BEARER.length();
    int dot1 = authorization.indexOf('.', start);
    int dot2 = dot1 < 0 ? -1 : authorization.indexOf('.', dot1 + 1);
    if (dot1 <= start || dot2 < 0 || dot2 == authorization.length() - 1 || authorization.indexOf('.', dot2 + 1) >= 0) {
      return null;
    }
    if (!headerAccepted(authorization, start, dot1)) {
      return null;
    }
    byte[] ascii = authorization.getBytes(StandardCharsets.ISO_8859_1);
    try {
      mac.update(ascii, start, dot2 - start);
      byte[] expected = mac.doFinal();
      byte[] signature = decode(ascii, dot2 + 1, ascii.length - dot2 - 1);
      if (!MessageDigest.isEqual(expected, signature)) {
        return null;
      }
      return claims(decode(ascii, dot1 + 1, dot2 - dot1 - 1), nowSeconds);
    } catch (IllegalArgumentException | IOException e) {
      return null;
    }
  }

  private boolean headerAccepted(String token, int from, int to) {
    String seen = acceptedHeader;
    if (seen != null && seen.length() == to - from && token.regionMatches(from, seen, 0, seen.length())) {
      return true;
    }
    String segment = token.substring(from, to);
    try (JsonParser p = JSON.createParser(B64.decode(segment))) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("alg".equals(name)) {
          if (value == JsonToken.VALUE_STRING && "HS256".equals(p.getText())) {
            acceptedHeader = segment;
            return true;
          }
          return false;
        }
        p.skipChildren();
      }
      return false;
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  private Principal claims(byte[] json, long now) throws IOException {
    String sub = null;
    String sid = null;
    String jti = null;
    String typ = null;
    String iss = null;
    boolean audOk = false;
    long exp = Long.MIN_VALUE;
    long iat = Long.MIN_VALUE;
    long nbf = Long.MIN_VALUE;
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        switch (name) {
          case "sub" -> sub = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "sid" -> sid = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "jti" -> jti = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "typ" -> typ = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "iss" -> iss = value == JsonToken.VALUE_STRING ? p.getText() : null;
          case "exp" -> exp = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : Long.MIN_VALUE;
          case "iat" -> iat = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : Long.MIN_VALUE;
          case "nbf" -> nbf = value == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : Long.MIN_VALUE;
          case "aud" -> audOk = audience(p, value);
          default -> p.skipChildren();
        }
      }
    }
    if (!"access".equals(typ) || !settings.issuer().equals(iss) || !audOk || exp == Long.MIN_VALUE
        || iat == Long.MIN_VALUE || jti == null || jti.isEmpty() || jti.length() > 64) {
      return null;
    }
    long leeway = settings.leewaySeconds();
    if (now >= exp + leeway || iat > now + leeway || (nbf != Long.MIN_VALUE && nbf > now + leeway)) {
      return null;
    }
    UUID user = uuid(sub);
    UUID session = uuid(sid);
    return user == null || session == null ? null : new Principal(user, session, jti, iat);
  }

  private boolean audience(JsonParser p, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return settings.audience().equals(p.getText());
    }
    boolean found = false;
    if (value == JsonToken.START_ARRAY) {
      while (p.nextToken() != JsonToken.END_ARRAY) {
        found |= p.currentToken() == JsonToken.VALUE_STRING && settings.audience().equals(p.getText());
        p.skipChildren();
      }
    } else {
      p.skipChildren();
    }
    return found;
  }

  /** A signed token for a session, claims as Bulwark mints them. */
  String mint(UUID userId, UUID sessionId, long issuedAt) {
    byte[] jti = new byte[16];
    ThreadLocalRandom.current().nextBytes(jti);
    JsonBytes claims = new JsonBytes(256);
    claims.raw(SUB).uuid(userId).raw(SID).uuid(sessionId).raw(JTI).string(B64OUT.encodeToString(jti))
        .raw(IAT).number(issuedAt).raw(NBF).number(issuedAt).raw(EXP).number(issuedAt + settings.accessTtlSeconds())
        .raw(claimsTail);
    byte[] payload = B64OUT.encode(claims.toArray());
    byte[] signingInput = new byte[HEADER.length + 1 + payload.length];
    System.arraycopy(HEADER, 0, signingInput, 0, HEADER.length);
    signingInput[HEADER.length] = '.';
    System.arraycopy(payload, 0, signingInput, HEADER.length + 1, payload.length);
    byte[] signature = B64OUT.encode(mac.doFinal(signingInput));
    StringBuilder token = new StringBuilder(signingInput.length + 1 + signature.length);
    return token.append(new String(signingInput, StandardCharsets.ISO_8859_1)).append('.')
        .append(new String(signature, StandardCharsets.ISO_8859_1)).toString();
  }

  private static byte[] decode(byte[] ascii, int offset, int length) {
    ByteBuffer out = B64.decode(ByteBuffer.wrap(ascii, offset, length));
    byte[] bytes = new byte[out.remaining()];
    out.get(bytes);
    return bytes;
  }

  private static UUID uuid(String s) {
    if (s == null || s.length() != 36) {
      return null;
    }
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String quoted(String s) {
    return new String(new JsonBytes(s.length() + 2).string(s).toArray(), StandardCharsets.UTF_8);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
