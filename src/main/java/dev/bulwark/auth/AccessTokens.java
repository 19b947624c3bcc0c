package dev.bulwark.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.bulwark.config.JwtConfig;
import dev.bulwark.config.Roles;
import dev.bulwark.config.SigningKeys;
import dev.bulwark.core.Failure;
import dev.bulwark.core.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived JWT access tokens (vertx-auth-jwt). Minting sets {@code sub sid jti iat nbf exp iss
 * aud typ=access role} under a header {@code typ: JWT}. The {@code role} claim (the configured name
 * of the account's role when the token was minted) lets a route guard decide without a database
 * read; a role change revokes the tokens minted before it, so a claim is never stale for long.
 * Verification pins the algorithm allow-list and the header type before the signature is checked,
 * verifies the signature, then checks each claim itself so every rejection carries a precise code.
 *
 * <p>HS256 (the default) is verified here, on the hot path of every authenticated request: one HMAC
 * over the signed part with this instance's {@link Mac}, compared in constant time, and one parse
 * of the payload. The header this server mints is recognised by its exact text; any other header is
 * parsed and judged. RS256/ES256 signatures go through vertx-auth-jwt.
 */
public final class AccessTokens {
  static final String TYPE = "access";

  /** The {@code scope} of a token limited to enrolling a second factor. */
  static final String ENROLMENT_SCOPE = "mfa_enrolment";

  /**
   * Header types accepted: what this server mints ({@code JWT}) and the RFC 9068 access-token type.
   * Anything else — an ID token, a logout token, a JWE, another service's token signed with a
   * shared key — is not an access token. Compared case-insensitively, with the optional {@code
   * application/} prefix (RFC 7515 §4.1.9).
   */
  private static final Set<String> HEADER_TYPES = Set.of("jwt", "at+jwt");

  private static final int JTI_BYTES = 16;
  private static final JsonFactory JSON = new JsonFactory();

  /** What a member no claim check accepts (an object, a boolean, null) reads as. */
  private static final JsonObject NOT_A_CLAIM = new JsonObject();

  private final Set<String> allowedAlgorithms;
  private final JwtConfig config;
  private final JWTAuth jwt;
  private final JWTOptions signing;
  private final long ttlSeconds;
  private final long leewaySeconds;
  private final SecureRandom random;
  private final Mac hmac;
  private final String mintedHeader;
  private final Roles roles;

  /** Instances are per verticle: the underlying MACs are not meant to be shared across threads. */
  public AccessTokens(Vertx vertx, JwtConfig config, Roles roles) {
    this(vertx, config, new SecureRandom(), roles);
  }

  /** With the default role names. */
  public AccessTokens(Vertx vertx, JwtConfig config) {
    this(vertx, config, new SecureRandom(), Roles.defaults());
  }

  /**
   * {@code random} draws the token ids: a CSPRNG, so a {@code jti} cannot be predicted from the
   * ones seen before.
   */
  AccessTokens(Vertx vertx, JwtConfig config, SecureRandom random) {
    this(vertx, config, random, Roles.defaults());
  }

  private AccessTokens(Vertx vertx, JwtConfig config, SecureRandom random, Roles roles) {
    this.roles = roles;
    this.config = config;
    this.random = random;
    this.ttlSeconds = config.accessTokenTtl().toSeconds();
    this.leewaySeconds = config.leeway().toSeconds();
    this.allowedAlgorithms = Set.of(config.algorithm());
    this.signing = new JWTOptions().setAlgorithm(config.algorithm()).setNoTimestamp(true);
    // exp/nbf/iss/aud are checked below with precise error codes
    JWTAuthOptions options =
        new JWTAuthOptions().setJWTOptions(new JWTOptions().setIgnoreExpiration(true));
    if (config.isAsymmetric()) {
      options.addPubSecKey(
          new PubSecKeyOptions()
              .setAlgorithm(config.algorithm())
              .setId(config.keyId())
              .setBuffer(config.signingKeyPem()));
      for (SigningKeys.VerificationKey key : config.verificationKeys()) {
        options.addPubSecKey(
            new PubSecKeyOptions()
                .setAlgorithm(config.algorithm())
                .setId(key.kid())
                .setBuffer(key.pem()));
      }
    } else {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.secret()));
    }
    this.jwt = JWTAuth.create(vertx, options);
    this.hmac = config.isAsymmetric() ? null : hmacSha256(config.secret());
    String sample = jwt.generateToken(new JsonObject(), signing);
    this.mintedHeader = sample.substring(0, sample.indexOf('.'));
  }

  private static Mac hmacSha256(String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /**
   * A signed token for a session; {@code issuedAt} may be a second ahead to clear a not-before
   * stamp.
   */
  public Minted mint(UUID userId, UUID sessionId, long issuedAt) {
    return mint(userId, sessionId, Role.USER, issuedAt);
  }

  /** A signed token for a session of an account holding {@code role}. */
  public Minted mint(UUID userId, UUID sessionId, Role role, long issuedAt) {
    return mint(userId, sessionId, role, issuedAt, Assurance.PASSWORD);
  }

  /**
   * A signed token for a session established with {@code assurance}: claims {@code aal} and {@code
   * amr}, and {@code scope: mfa_enrolment} for a session limited to enrolling a second factor.
   */
  public Minted mint(UUID userId, UUID sessionId, Role role, long issuedAt, Assurance assurance) {
    String jti = randomId();
    long exp = issuedAt + ttlSeconds;
    JsonObject claims =
        new JsonObject()
            .put("sub", userId.toString())
            .put("sid", sessionId.toString())
            .put("jti", jti)
            .put("iat", issuedAt)
            .put("nbf", issuedAt)
            .put("exp", exp)
            .put("iss", config.issuer())
            .put("aud", config.audience())
            .put("typ", TYPE)
            .put("role", roles.name(role))
            .put("aal", assurance.aal())
            .put("amr", new JsonArray(assurance.amr()));
    if (assurance.enrolmentOnly()) {
      claims.put("scope", ENROLMENT_SCOPE);
    }
    return new Minted(jwt.generateToken(claims, signing), jti, ttlSeconds);
  }

  /** The result of minting: the token, its id, and its lifetime in seconds. */
  public record Minted(String token, String jti, long expiresIn) {}

  /** Verifies a bearer token; fails with a 401 {@link Failure} whose code says what was wrong. */
  public Future<Principal> verify(String token) {
    int signed;
    try {
      signed = checkAlgorithm(token);
      if (hmac != null) {
        return Future.succeededFuture(verifyHs256(token, signed));
      }
    } catch (Failure e) {
      return Future.failedFuture(e);
    }
    Future<User> authenticated;
    try {
      authenticated = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // vertx-auth-jwt reads exp/iat/nbf as numbers once the signature has checked out, and throws
      // (rather than
      // failing the future) when a claim is some other type
      return Future.failedFuture(
          reject("invalid_token", "The access token lacks required claims."));
    }
    return authenticated
        .recover(
            err ->
                Future.failedFuture(
                    reject("invalid_signature", "The access token signature is not valid.")))
        .map(user -> claims(user.attributes().getJsonObject("accessToken"), nowSeconds()));
  }

  /**
   * The signature over {@code header.payload} (the first {@code signed} characters), then the
   * claims. A well-formed token has only base64url characters, so its characters are its bytes.
   */
  private Principal verifyHs256(String token, int signed) {
    byte[] signature;
    try {
      signature = Base64.getUrlDecoder().decode(token.substring(signed + 1));
    } catch (IllegalArgumentException e) {
      throw reject("invalid_signature", "The access token signature is not valid.");
    }
    byte[] expected =
        hmac.doFinal(token.substring(0, signed).getBytes(StandardCharsets.ISO_8859_1));
    if (!MessageDigest.isEqual(expected, signature)) {
      throw reject("invalid_signature", "The access token signature is not valid.");
    }
    JsonObject claims;
    try {
      int payload = token.indexOf('.') + 1;
      claims = payload(Base64.getUrlDecoder().decode(token.substring(payload, signed)));
    } catch (IOException | RuntimeException e) {
      throw reject("invalid_token", "The access token lacks required claims.");
    }
    return claims(claims, nowSeconds());
  }

  /**
   * The payload's top-level members, read with Jackson's streaming parser (no data binding on the
   * hot path): strings and numbers as themselves, arrays as arrays of their scalar members, and
   * anything else as a value no claim check accepts. A payload that is not one JSON object fails.
   */
  private static JsonObject payload(byte[] json) throws IOException {
    JsonObject claims = new JsonObject();
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.START_ARRAY) {
          JsonArray items = new JsonArray();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            items.add(scalar(p));
          }
          claims.put(name, items);
        } else {
          claims.put(name, scalar(p));
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw new IOException("trailing content after the JSON object");
      }
    }
    return claims;
  }

  /** A string or number as itself; an object, array, boolean or null as a value no check takes. */
  private static Object scalar(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getNumberValue();
      case START_OBJECT, START_ARRAY -> {
        p.skipChildren();
        yield NOT_A_CLAIM;
      }
      default -> NOT_A_CLAIM;
    };
  }

  /**
   * Only the configured algorithm: {@code none}, and HS256 signed with a public key (key
   * confusion), never pass. Returns where the signature's dot is.
   */
  private int checkAlgorithm(String token) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0
        || second < 0
        || token.indexOf('.', second + 1) >= 0
        || second == token.length() - 1) {
      throw reject("invalid_token", "The access token is not a well-formed JWT.");
    }
    if (first == mintedHeader.length() && token.startsWith(mintedHeader)) {
      return second; // the very header this server mints: the configured algorithm, typ JWT
    }
    JsonObject header;
    try {
      header =
          new JsonObject(
              new String(
                  Base64.getUrlDecoder().decode(token.substring(0, first)),
                  StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw reject("invalid_token", "The access token is not a well-formed JWT.");
    }
    Object alg = header.getValue("alg");
    if (!(alg instanceof String a) || !allowedAlgorithms.contains(a)) {
      throw reject(
          "token_algorithm_rejected", "The access token's signing algorithm is not accepted.");
    }
    if (!(header.getValue("typ") instanceof String typ) || !HEADER_TYPES.contains(mediaType(typ))) {
      throw reject("invalid_token_type", "This is not an access token.");
    }
    return second;
  }

  private static String mediaType(String typ) {
    String t = typ.toLowerCase(Locale.ROOT);
    return t.startsWith("application/") ? t.substring("application/".length()) : t;
  }

  Principal claims(JsonObject c, long now) {
    if (!TYPE.equals(c.getValue("typ"))) {
      throw reject("invalid_token_type", "This is not an access token.");
    }
    if (!config.issuer().equals(c.getValue("iss"))) {
      throw reject("invalid_issuer", "The access token was issued by someone else.");
    }
    if (!audienceMatches(c.getValue("aud"))) {
      throw reject("invalid_audience", "The access token is meant for another audience.");
    }
    long exp = number(c, "exp");
    long iat = number(c, "iat");
    long nbf = c.containsKey("nbf") ? number(c, "nbf") : iat;
    if (now >= exp + leewaySeconds) {
      throw reject("token_expired", "The access token has expired; refresh it.");
    }
    if (nbf > now + leewaySeconds || iat > now + leewaySeconds) {
      throw reject("token_not_yet_valid", "The access token is not valid yet.");
    }
    UUID sub = uuid(c.getValue("sub"));
    UUID sid = uuid(c.getValue("sid"));
    Object jti = c.getValue("jti");
    if (!(jti instanceof String j) || j.isEmpty() || j.length() > 64) {
      throw reject("invalid_token", "The access token lacks required claims.");
    }
    return new Principal(
        sub, sid, j, iat, exp, role(c.getValue("role")), aal(c.getValue("aal")), limited(c));
  }

  /** A token without {@code aal} (minted before assurance levels existed) is of level 1. */
  private static int aal(Object claim) {
    if (claim == null) {
      return 1;
    }
    // an integer 1 or 2 exactly: 2.5 is not a level
    if ((claim instanceof Integer || claim instanceof Long)
        && (((Number) claim).longValue() == 1 || ((Number) claim).longValue() == 2)) {
      return ((Number) claim).intValue();
    }
    throw reject("invalid_token", "The access token lacks required claims.");
  }

  /** Whether the token may only enrol a second factor; any other scope is not ours. */
  private static boolean limited(JsonObject c) {
    Object scope = c.getValue("scope");
    if (scope == null) {
      return false;
    }
    if (ENROLMENT_SCOPE.equals(scope)) {
      return true;
    }
    throw reject("invalid_token", "The access token lacks required claims.");
  }

  /**
   * The level a role claim names. A token without one (minted before roles existed) is of the
   * lowest role; a name this deployment does not know is refused (the roles were renamed: refresh).
   */
  private Role role(Object claim) {
    if (claim == null) {
      return Role.USER;
    }
    Role role = claim instanceof String name ? roles.level(name) : null;
    if (role == null) {
      throw reject("invalid_token", "The access token names an unknown role; refresh it.");
    }
    return role;
  }

  private boolean audienceMatches(Object aud) {
    if (aud instanceof String s) {
      return config.audience().equals(s);
    }
    if (aud instanceof JsonArray arr) {
      return arr.contains(config.audience());
    }
    return false;
  }

  private static long number(JsonObject c, String name) {
    if (!(c.getValue(name) instanceof Number n)) {
      throw reject("invalid_token", "The access token lacks required claims.");
    }
    return n.longValue();
  }

  private static UUID uuid(Object value) {
    if (value instanceof String s
        && s.length() == 36
        && s.chars().allMatch(ch -> ch == '-' || Character.digit(ch, 16) >= 0)) {
      try {
        return UUID.fromString(s);
      } catch (IllegalArgumentException ignored) {
        // fall through to the rejection below
      }
    }
    throw reject("invalid_token", "The access token lacks required claims.");
  }

  static Failure reject(String code, String message) {
    return Failure.unauthenticated(code, message);
  }

  static long nowSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  /**
   * 128 bits from this instance's CSPRNG, base64url. A {@code jti} names the token a logout
   * denylists: a predictable one would let whoever saw one token compute the next. One generator
   * per instance (instances are per verticle), so event loops do not contend on a shared one.
   */
  private String randomId() {
    byte[] b = new byte[JTI_BYTES];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
