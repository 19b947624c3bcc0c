package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.config.JwtConfig;
import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an attacker can do with the {@code Authorization} header: every forged, tampered, stale or
 * misdirected access token is refused with 401, its precise {@code code} and a {@code
 * WWW-Authenticate} challenge. Tokens are forged here with the test server's signing key (the
 * development profile's, generated for its data folder); the first tests prove a forged token with
 * all the right claims is accepted, so each refusal below is down to the one thing changed.
 */
// these tests are about what authentication answers; rate limiting has its own tests
@BulwarkTest(env = "RATE_LIMIT_ENABLED=false")
class AccessTokenAttackTest {
  private static final String ME = "/api/v1/me";
  private static final byte[] WRONG_SECRET =
      "some-other-service-secret-that-is-also-long-enough-0123456789"
          .getBytes(StandardCharsets.UTF_8);

  @BulwarkTest.Server private static TestServer server;
  private static TestUser user;
  private static byte[] secret;
  private static String issuer;
  private static String audience;

  @BeforeAll
  static void start() {
    JwtConfig jwt = server.app().config().jwt();
    secret = jwt.secret().getBytes(StandardCharsets.UTF_8);
    issuer = jwt.issuer();
    audience = jwt.audience();
    user = TestUsers.signup(server);
  }

  // ---- the forging helper is right: a forged token with every claim valid is accepted
  // -------------------------

  @Test
  void forgedTokenWithAllValidClaimsIsAccepted() {
    HttpResponse<Buffer> r = me("Bearer " + forge(validClaims(user.id())));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(user.id().toString(), r.bodyAsJsonObject().getString("id"));
    assertEquals(user.email(), r.bodyAsJsonObject().getString("email"));
  }

  @Test
  void forgedClaimsMirrorWhatTheServerMints() {
    JsonObject minted = TestUsers.claims(user.accessToken());
    assertEquals(minted.fieldNames(), validClaims(user.id()).fieldNames());
    assertEquals(issuer, minted.getString("iss"));
    assertEquals(audience, minted.getString("aud"));
    assertEquals("access", minted.getString("typ"));
    JsonObject header = segment(user.accessToken(), 0);
    assertEquals("HS256", header.getString("alg"));
  }

  @Test
  void aRoleNameTheDeploymentDoesNotKnowIsRefusedAndNoRoleIsTheLowest() {
    assertProblem(
        me("Bearer " + forge(validClaims(user.id()).put("role", "root"))), 401, "invalid_token");
    assertProblem(
        me("Bearer " + forge(validClaims(user.id()).put("role", 7))), 401, "invalid_token");
    JsonObject noRole = validClaims(user.id());
    noRole.remove("role");
    assertEquals(200, me("Bearer " + forge(noRole)).statusCode(), "minted before roles existed");
    HttpResponse<Buffer> admin =
        server.send(
            server
                .request(HttpMethod.GET, "/api/v1/admin/users")
                .putHeader("Authorization", "Bearer " + forge(noRole)));
    assertProblem(admin, 403, "insufficient_role");
  }

  @Test
  void serverMintedTokenIsAccepted() {
    assertEquals(200, me(user.bearer()).statusCode());
  }

  @Test
  void schemeIsCaseInsensitiveAndSurroundingSpaceIsIgnored() {
    String token = forge(validClaims(user.id()));
    assertEquals(200, me("bearer " + token).statusCode());
    assertEquals(200, me("BEARER " + token).statusCode());
    assertEquals(200, me("Bearer    " + token + "   ").statusCode());
  }

  @Test
  void audienceArrayContainingOursIsAccepted() {
    JsonObject claims =
        validClaims(user.id()).put("aud", new JsonArray().add("other-api").add(audience));
    assertEquals(200, me("Bearer " + forge(claims)).statusCode());
  }

  @Test
  void clockSkewWithinTheLeewayIsTolerated() {
    long now = now();
    // expired 2 s ago, issued/valid from 2 s ahead: both inside the 5 s leeway
    assertEquals(
        200, me("Bearer " + forge(validClaims(user.id()).put("exp", now - 2))).statusCode());
    assertEquals(
        200,
        me("Bearer " + forge(validClaims(user.id()).put("nbf", now + 2).put("iat", now + 2)))
            .statusCode());
  }

  @Test
  void missingNotBeforeFallsBackToIssuedAt() {
    JsonObject claims = validClaims(user.id());
    claims.remove("nbf");
    assertEquals(200, me("Bearer " + forge(claims)).statusCode());
  }

  // ---- the Authorization header
  // ---------------------------------------------------------------------------------

  @Test
  void noAuthorizationHeader() {
    assertUnauthorized(server.send(server.request(HttpMethod.GET, ME)), "missing_token");
  }

  @Test
  void emptyAuthorizationHeader() {
    assertUnauthorized(me(""), "missing_token");
    assertUnauthorized(me("   "), "missing_token");
  }

  @Test
  void otherSchemesAreRefused() {
    String token = forge(validClaims(user.id()));
    assertUnauthorized(me("Basic dXNlcjpwYXNzd29yZA=="), "invalid_authorization_header");
    assertUnauthorized(me("Basic " + token), "invalid_authorization_header");
    assertUnauthorized(me("Token " + token), "invalid_authorization_header");
    assertUnauthorized(me("Bearer:" + token), "invalid_authorization_header");
    assertUnauthorized(me("Bearer-" + token), "invalid_authorization_header");
    assertUnauthorized(me(token), "invalid_authorization_header");
  }

  @Test
  void bearerWithoutAToken() {
    assertUnauthorized(me("Bearer"), "invalid_authorization_header");
    assertUnauthorized(me("Bearer "), "invalid_authorization_header");
    assertUnauthorized(me("Bearer      "), "invalid_authorization_header");
  }

  @Test
  void bearerWithGarbage() {
    assertUnauthorized(me("Bearer garbage"), "invalid_token");
    assertUnauthorized(me("Bearer ..."), "invalid_token");
    assertUnauthorized(me("Bearer a.b"), "invalid_token");
    assertUnauthorized(me("Bearer a.b.c"), "invalid_token");
    assertUnauthorized(me("Bearer a.b.c.d"), "invalid_token");
    assertUnauthorized(me("Bearer .e30.c2ln"), "invalid_token");
    assertUnauthorized(me("Bearer " + b64("not json") + ".e30.c2ln"), "invalid_token");
    assertUnauthorized(me("Bearer " + b64("[\"HS256\"]") + ".e30.c2ln"), "invalid_token");
  }

  @Test
  void bearerWithSpacesInsideTheToken() {
    String token = forge(validClaims(user.id()));
    assertUnauthorized(me("Bearer not a token"), "invalid_authorization_header");
    assertUnauthorized(me("Bearer " + token + " " + token), "invalid_authorization_header");
    int dot = token.indexOf('.');
    assertUnauthorized(
        me("Bearer " + token.substring(0, dot) + " " + token.substring(dot)),
        "invalid_authorization_header");
  }

  @Test
  void bearerWithCharactersOutsideTheTokenAlphabet() {
    String token = forge(validClaims(user.id()));
    assertUnauthorized(me("Bearer " + token + "!"), "invalid_authorization_header");
    assertUnauthorized(
        me("Bearer " + token.replace('-', '+').replace('_', '/') + "+/"),
        "invalid_authorization_header");
    assertUnauthorized(me("Bearer \"" + token + "\""), "invalid_authorization_header");
  }

  @Test
  void bearerWithNonAsciiBytes() throws IOException {
    // sent as raw UTF-8 bytes on the wire, bypassing any client-side header encoding
    RawResponse r = rawGet(ME, "Bearer t\u00f6k\u20acn.\u00e9\u00e9.\u00fc\u00fc");
    assertEquals(401, r.status(), r.body());
    assertEquals("application/problem+json", r.header("content-type"));
    assertEquals("invalid_authorization_header", new JsonObject(r.body()).getString("code"));
    assertBearerChallenge(r.header("www-authenticate"));

    String token = forge(validClaims(user.id()));
    RawResponse appended = rawGet(ME, "Bearer " + token + "\u00e9");
    assertEquals(401, appended.status(), appended.body());
    assertEquals("invalid_authorization_header", new JsonObject(appended.body()).getString("code"));
  }

  @Test
  void oversizedTokensAreRefusedBeforeAnyDecoding() {
    assertUnauthorized(me("Bearer " + "a".repeat(5000)), "invalid_authorization_header");
    String jwtShaped = b64("{\"alg\":\"HS256\"}") + "." + "e".repeat(4980) + ".c2ln";
    assertUnauthorized(me("Bearer " + jwtShaped), "invalid_authorization_header");
  }

  @Test
  void validlySignedTokensAreCappedAt4096Characters() {
    String atLimit = forgeOfLength(4096);
    assertEquals(200, me("Bearer " + atLimit).statusCode());
    String overLimit = forgeOfLength(4097);
    assertUnauthorized(me("Bearer " + overLimit), "invalid_authorization_header");
  }

  // ---- alg: none, algorithm confusion and wrong keys
  // ------------------------------------------------------------

  @Test
  void unsignedNoneTokenIsNotAWellFormedJwt() {
    String unsigned =
        b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(validClaims(user.id()).encode());
    assertUnauthorized(me("Bearer " + unsigned + "."), "invalid_token");
    assertUnauthorized(me("Bearer " + unsigned), "invalid_token");
  }

  @Test
  void algNoneWithASignatureIsRejected() {
    JsonObject claims = validClaims(user.id());
    for (String alg : new String[] {"none", "None", "NONE", "nOnE"}) {
      // signed with the right key: only the header's algorithm is wrong
      String token =
          forge(new JsonObject().put("alg", alg).put("typ", "JWT"), claims, secret, "HmacSHA256");
      assertUnauthorized(me("Bearer " + token), "token_algorithm_rejected");
    }
  }

  @Test
  void missingOrNonStringAlgorithmIsRejected() {
    JsonObject claims = validClaims(user.id());
    assertUnauthorized(
        me("Bearer " + forge(new JsonObject().put("typ", "JWT"), claims, secret, "HmacSHA256")),
        "token_algorithm_rejected");
    assertUnauthorized(
        me("Bearer " + forge(new JsonObject().putNull("alg"), claims, secret, "HmacSHA256")),
        "token_algorithm_rejected");
    assertUnauthorized(
        me("Bearer " + forge(new JsonObject().put("alg", 256), claims, secret, "HmacSHA256")),
        "token_algorithm_rejected");
    assertUnauthorized(
        me(
            "Bearer "
                + forge(
                    new JsonObject().put("alg", new JsonArray().add("HS256")),
                    claims,
                    secret,
                    "HmacSHA256")),
        "token_algorithm_rejected");
  }

  @Test
  void keyConfusionRs256HeaderOnAnHmacSignedTokenIsRejected() {
    JsonObject claims = validClaims(user.id());
    for (String alg : new String[] {"RS256", "ES256", "PS256", "EdDSA"}) {
      String token =
          forge(new JsonObject().put("alg", alg).put("typ", "JWT"), claims, secret, "HmacSHA256");
      assertUnauthorized(me("Bearer " + token), "token_algorithm_rejected");
    }
  }

  @Test
  void otherHmacAlgorithmsAreNotOnTheAllowList() {
    JsonObject claims = validClaims(user.id());
    assertUnauthorized(
        me("Bearer " + forge(new JsonObject().put("alg", "HS512"), claims, secret, "HmacSHA512")),
        "token_algorithm_rejected");
    assertUnauthorized(
        me("Bearer " + forge(new JsonObject().put("alg", "HS384"), claims, secret, "HmacSHA384")),
        "token_algorithm_rejected");
    assertUnauthorized(
        me("Bearer " + forge(new JsonObject().put("alg", "hs256"), claims, secret, "HmacSHA256")),
        "token_algorithm_rejected");
  }

  @Test
  void hmacWithADifferentSecretIsRejected() {
    String token =
        forge(
            new JsonObject().put("alg", "HS256").put("typ", "JWT"),
            validClaims(user.id()),
            WRONG_SECRET,
            "HmacSHA256");
    assertUnauthorized(me("Bearer " + token), "invalid_signature");
    // the same claims with the right key pass: the key alone made the difference
    assertEquals(200, me("Bearer " + forge(validClaims(user.id()))).statusCode());
  }

  // ---- tampering
  // ------------------------------------------------------------------------------------------------

  @Test
  void tamperedPayloadKeepsTheOldSignature() {
    TestUser victim = TestUsers.signup(server);
    String[] parts = user.accessToken().split("\\.");
    JsonObject claims = segment(user.accessToken(), 1).put("sub", victim.id().toString());
    String tampered = parts[0] + "." + b64(claims.encode()) + "." + parts[2];
    assertUnauthorized(me("Bearer " + tampered), "invalid_signature");

    JsonObject longer = segment(user.accessToken(), 1).put("exp", now() + 86_400);
    assertUnauthorized(
        me("Bearer " + parts[0] + "." + b64(longer.encode()) + "." + parts[2]),
        "invalid_signature");
  }

  @Test
  void tamperedHeaderKeepsTheOldSignature() {
    String[] parts = user.accessToken().split("\\.");
    JsonObject header = segment(user.accessToken(), 0).put("kid", "x");
    assertUnauthorized(
        me("Bearer " + b64(header.encode()) + "." + parts[1] + "." + parts[2]),
        "invalid_signature");
  }

  @Test
  void tamperedSignature() {
    String[] parts = user.accessToken().split("\\.");
    String sig = parts[2];
    // change the first character: the last one of a 43-character signature only partly encodes
    // bits, so changing
    // it may not change the decoded bytes at all
    String flipped = (sig.charAt(0) == 'A' ? 'B' : 'A') + sig.substring(1);
    assertUnauthorized(
        me("Bearer " + parts[0] + "." + parts[1] + "." + flipped), "invalid_signature");
    assertUnauthorized(
        me("Bearer " + parts[0] + "." + parts[1] + "." + sig.substring(0, 40)),
        "invalid_signature");
    assertUnauthorized(
        me("Bearer " + parts[0] + "." + parts[1] + "." + sig + sig), "invalid_signature");
    assertUnauthorized(
        me("Bearer " + parts[0] + "." + parts[1] + "." + "A".repeat(43)), "invalid_signature");
  }

  @Test
  void signatureOfAnotherTokenDoesNotFit() {
    TestUser other = TestUsers.signup(server);
    String[] mine = user.accessToken().split("\\.");
    String[] theirs = other.accessToken().split("\\.");
    assertUnauthorized(
        me("Bearer " + mine[0] + "." + mine[1] + "." + theirs[2]), "invalid_signature");
  }

  // ---- time
  // -----------------------------------------------------------------------------------------------------

  @Test
  void expiredBeyondTheLeeway() {
    long now = now();
    JsonObject justBeyond =
        validClaims(user.id()).put("iat", now - 900).put("nbf", now - 900).put("exp", now - 6);
    assertUnauthorized(me("Bearer " + forge(justBeyond)), "token_expired");
    JsonObject longAgo =
        validClaims(user.id())
            .put("iat", now - 90_000)
            .put("nbf", now - 90_000)
            .put("exp", now - 86_400);
    assertUnauthorized(me("Bearer " + forge(longAgo)), "token_expired");
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("exp", 0))), "token_expired");
  }

  @Test
  void notBeforeInTheFutureBeyondTheLeeway() {
    long now = now();
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("nbf", now + 30))), "token_not_yet_valid");
    assertUnauthorized(
        me(
            "Bearer "
                + forge(validClaims(user.id()).put("nbf", now + 86_400).put("exp", now + 90_000))),
        "token_not_yet_valid");
  }

  @Test
  void issuedInTheFutureBeyondTheLeeway() {
    long now = now();
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("iat", now + 30))), "token_not_yet_valid");
    JsonObject noNbf = validClaims(user.id()).put("iat", now + 30);
    noNbf.remove("nbf");
    assertUnauthorized(me("Bearer " + forge(noNbf)), "token_not_yet_valid");
  }

  // ---- who the token is from and for
  // ----------------------------------------------------------------------------

  @Test
  void wrongIssuer() {
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("iss", "evil"))), "invalid_issuer");
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("iss", issuer.toUpperCase(Locale.ROOT)))),
        "invalid_issuer");
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("iss", new JsonArray().add(issuer)))),
        "invalid_issuer");
    JsonObject missing = validClaims(user.id());
    missing.remove("iss");
    assertUnauthorized(me("Bearer " + forge(missing)), "invalid_issuer");
  }

  @Test
  void wrongAudience() {
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("aud", "other-api"))), "invalid_audience");
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("aud", new JsonArray().add("other-api")))),
        "invalid_audience");
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("aud", new JsonArray()))),
        "invalid_audience");
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("aud", audience + " "))),
        "invalid_audience");
    JsonObject missing = validClaims(user.id());
    missing.remove("aud");
    assertUnauthorized(me("Bearer " + forge(missing)), "invalid_audience");
  }

  @Test
  void wrongOrMissingTokenType() {
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("typ", "refresh"))), "invalid_token_type");
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("typ", "ACCESS"))), "invalid_token_type");
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("typ", "id"))), "invalid_token_type");
    JsonObject missing = validClaims(user.id());
    missing.remove("typ");
    assertUnauthorized(me("Bearer " + forge(missing)), "invalid_token_type");
  }

  @Test
  void headerTypeOtherThanAJwtIsRejected() {
    JsonObject claims = validClaims(user.id());
    for (String typ :
        new String[] {
          "JOSE", "JWS", "logout+jwt", "secevent+jwt", "application/jose", "dpop+jwt", ""
        }) {
      // signed with the right key, every claim valid: only the header's type is wrong
      String token =
          forge(new JsonObject().put("alg", "HS256").put("typ", typ), claims, secret, "HmacSHA256");
      assertUnauthorized(me("Bearer " + token), "invalid_token_type");
    }
    assertUnauthorized(
        me("Bearer " + forge(new JsonObject().put("alg", "HS256"), claims, secret, "HmacSHA256")),
        "invalid_token_type");
    assertUnauthorized(
        me(
            "Bearer "
                + forge(
                    new JsonObject().put("alg", "HS256").put("typ", 1),
                    claims,
                    secret,
                    "HmacSHA256")),
        "invalid_token_type");
  }

  @Test
  void headerTypesOfAnAccessTokenAreAccepted() {
    assertEquals("JWT", segment(user.accessToken(), 0).getString("typ"), "what the server mints");
    JsonObject claims = validClaims(user.id());
    for (String typ :
        new String[] {"JWT", "jwt", "at+jwt", "application/at+jwt", "application/JWT"}) {
      String token =
          forge(new JsonObject().put("alg", "HS256").put("typ", typ), claims, secret, "HmacSHA256");
      assertEquals(200, me("Bearer " + token).statusCode(), typ);
    }
  }

  @Test
  void refreshTokenPresentedAsAccessToken() {
    assertUnauthorized(me("Bearer " + user.refreshToken()), "invalid_token");
  }

  // ---- required claims
  // ------------------------------------------------------------------------------------------

  @Test
  void missingSubjectSessionOrTokenId() {
    for (String claim : new String[] {"sub", "sid", "jti"}) {
      JsonObject claims = validClaims(user.id());
      claims.remove(claim);
      assertUnauthorized(me("Bearer " + forge(claims)), "invalid_token");
    }
  }

  @Test
  void subjectAndSessionMustBeUuids() {
    for (Object bad :
        new Object[] {
          "admin",
          "",
          "0",
          user.id().toString().toUpperCase(Locale.ROOT) + "x",
          user.id().toString().replace("-", ""),
          "{" + user.id() + "}",
          42,
          true,
          new JsonArray().add(user.id().toString())
        }) {
      assertUnauthorized(
          me("Bearer " + forge(validClaims(user.id()).put("sub", bad))), "invalid_token");
      assertUnauthorized(
          me("Bearer " + forge(validClaims(user.id()).put("sid", bad))), "invalid_token");
    }
  }

  @Test
  void tokenIdMustBeAShortString() {
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("jti", ""))), "invalid_token");
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("jti", "j".repeat(65)))), "invalid_token");
    assertUnauthorized(
        me("Bearer " + forge(validClaims(user.id()).put("jti", 12345))), "invalid_token");
    assertEquals(
        200, me("Bearer " + forge(validClaims(user.id()).put("jti", "j".repeat(64)))).statusCode());
  }

  @Test
  void missingExpiry() {
    JsonObject claims = validClaims(user.id());
    claims.remove("exp");
    assertUnauthorized(me("Bearer " + forge(claims)), "invalid_token");
  }

  @Test
  void missingIssuedAt() {
    JsonObject claims = validClaims(user.id());
    claims.remove("iat");
    assertUnauthorized(me("Bearer " + forge(claims)), "invalid_token");
  }

  @Test
  void nonNumericTimesAreInvalidNotAServerError() {
    for (String claim : new String[] {"exp", "iat", "nbf"}) {
      for (Object bad : new Object[] {"soon", String.valueOf(now()), true, new JsonObject()}) {
        assertUnauthorized(
            me("Bearer " + forge(validClaims(user.id()).put(claim, bad))), "invalid_token");
      }
    }
  }

  @Test
  void claimsThatAreNotAJsonObject() {
    String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    for (String payload : new String[] {"[1,2,3]", "\"sub\"", "not json", ""}) {
      String input = header + "." + b64(payload);
      HttpResponse<Buffer> r = me("Bearer " + input + "." + sign(input, secret, "HmacSHA256"));
      assertEquals(401, r.statusCode(), () -> payload + ": " + r.bodyAsString());
      assertTrue(r.bodyAsJsonObject().getString("code").startsWith("invalid_"), r.bodyAsString());
      assertBearerChallenge(r.getHeader("WWW-Authenticate"));
    }
  }

  /**
   * The payload is read by a streaming parser: a valid object followed by more JSON, and claims
   * nested where a string or number belongs, are refused like any other malformed payload.
   */
  @Test
  void payloadsWithTrailingJsonOrNestedClaimsAreRefused() {
    String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    String valid = validClaims(user.id()).encode();
    for (String payload :
        new String[] {
          valid + "{}",
          valid + " 1",
          valid.replace("\"sub\":", "\"sub\":{\"id\":") + "}",
          validClaims(user.id()).put("sub", new JsonArray().add(user.id().toString())).encode(),
          validClaims(user.id())
              .put("aud", new JsonArray().add(new JsonArray().add(audience)))
              .encode()
        }) {
      String input = header + "." + b64(payload);
      HttpResponse<Buffer> r = me("Bearer " + input + "." + sign(input, secret, "HmacSHA256"));
      assertEquals(401, r.statusCode(), () -> payload + ": " + r.bodyAsString());
      assertBearerChallenge(r.getHeader("WWW-Authenticate"));
    }
    String input = header + "." + b64(valid);
    assertEquals(
        200,
        me("Bearer " + input + "." + sign(input, secret, "HmacSHA256")).statusCode(),
        "the same claims alone are accepted");
  }

  // ---- the account behind the token
  // -----------------------------------------------------------------------------

  @Test
  void tokenOfADeletedUser() throws Exception {
    TestUser doomed = TestUsers.signup(server);
    assertEquals(200, me(doomed.bearer()).statusCode());
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement delete = c.prepareStatement("DELETE FROM users WHERE id = ?")) {
      delete.setObject(1, doomed.id());
      assertEquals(1, delete.executeUpdate());
    }
    assertUnauthorized(me(doomed.bearer()), "user_not_found");
    assertUnauthorized(
        server.send(
            TestUsers.as(server, doomed, HttpMethod.PATCH, ME),
            new JsonObject().put("display_name", "ghost")),
        "user_not_found");
    assertUnauthorized(
        server.send(
            TestUsers.as(server, doomed, HttpMethod.POST, ME + "/password"),
            new JsonObject()
                .put("current_password", doomed.password())
                .put("new_password", "An0ther-g00d-one")),
        "user_not_found");
  }

  @Test
  void forgedTokenForAUserThatNeverExisted() {
    assertUnauthorized(me("Bearer " + forge(validClaims(UUID.randomUUID()))), "user_not_found");
  }

  @Test
  void anAssuranceLevelOtherThanOneOrTwoIsRefused() {
    for (Object aal : new Object[] {0, 3, "2", 2.5, new JsonObject()}) {
      assertUnauthorized(
          me("Bearer " + forge(validClaims(user.id()).put("aal", aal))), "invalid_token");
    }
    // a token minted before assurance levels existed reads as level 1
    JsonObject old = validClaims(user.id());
    old.remove("aal");
    old.remove("amr");
    assertEquals(200, me("Bearer " + forge(old)).statusCode());
  }

  @Test
  void aScopeOtherThanEnrolmentIsRefused() {
    for (Object scope : new Object[] {"admin", "", 1}) {
      assertUnauthorized(
          me("Bearer " + forge(validClaims(user.id()).put("scope", scope))), "invalid_token");
    }
    // the enrolment scope is honoured: this route is not an enrolment route
    assertProblem(
        me("Bearer " + forge(validClaims(user.id()).put("scope", "mfa_enrolment"))),
        403,
        "mfa_enrolment_required");
  }

  // ---- helpers
  // --------------------------------------------------------------------------------------------------

  private static HttpResponse<Buffer> me(String authorization) {
    return server.send(
        server.request(HttpMethod.GET, ME).putHeader("Authorization", authorization));
  }

  /**
   * 401 with the code, the Bearer challenge, and nothing of the presented credentials echoed back.
   */
  private static void assertUnauthorized(HttpResponse<Buffer> r, String code) {
    JsonObject body = assertProblem(r, 401, code);
    assertBearerChallenge(r.getHeader("WWW-Authenticate"));
    assertFalse(body.encode().contains("eyJ"), () -> "a token was echoed: " + body);
    assertEquals("no-store", r.getHeader("Cache-Control"));
  }

  private static void assertBearerChallenge(String challenge) {
    assertNotNull(challenge, "WWW-Authenticate");
    assertTrue(challenge.startsWith("Bearer realm=\"bulwark\""), challenge);
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  /** Every claim the server mints, valid now. */
  private static JsonObject validClaims(UUID sub) {
    long now = now();
    return new JsonObject()
        .put("sub", sub.toString())
        .put("sid", UUID.randomUUID().toString())
        .put("jti", UUID.randomUUID().toString().replace("-", ""))
        .put("iat", now)
        .put("nbf", now)
        .put("exp", now + 600)
        .put("iss", issuer)
        .put("aud", audience)
        .put("typ", "access")
        .put("role", "user")
        .put("aal", 1)
        .put("amr", new io.vertx.core.json.JsonArray().add("pwd"));
  }

  private static String forge(JsonObject claims) {
    return forge(
        new JsonObject().put("alg", "HS256").put("typ", "JWT"), claims, secret, "HmacSHA256");
  }

  private static String forge(
      JsonObject header, JsonObject claims, byte[] key, String macAlgorithm) {
    String input = b64(header.encode()) + "." + b64(claims.encode());
    return input + "." + sign(input, key, macAlgorithm);
  }

  /**
   * A valid token of exactly {@code length} characters, padded with an extra header field and
   * claim.
   */
  private static String forgeOfLength(int length) {
    for (int headerPad = 0; headerPad < 4; headerPad++) {
      for (int claimPad = 0; claimPad < length; claimPad++) {
        JsonObject header =
            new JsonObject()
                .put("alg", "HS256")
                .put("typ", "JWT")
                .put("pad", "h".repeat(headerPad));
        String token =
            forge(
                header,
                validClaims(user.id()).put("pad", "c".repeat(claimPad)),
                secret,
                "HmacSHA256");
        if (token.length() == length) {
          return token;
        }
        if (token.length() > length) {
          break;
        }
      }
    }
    throw new AssertionError("cannot build a token of " + length + " characters");
  }

  private static String sign(String input, byte[] key, String macAlgorithm) {
    try {
      Mac mac = Mac.getInstance(macAlgorithm);
      mac.init(new SecretKeySpec(key, macAlgorithm));
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject segment(String jwt, int index) {
    return new JsonObject(
        new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]), StandardCharsets.UTF_8));
  }

  private record RawResponse(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * A GET written byte for byte, so header values reach the server exactly as given (here: UTF-8).
   */
  private static RawResponse rawGet(String path, String authorization) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                  + authorization
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String response = all.toString(StandardCharsets.UTF_8);
      int split = response.indexOf("\r\n\r\n");
      assertTrue(split > 0, response);
      String[] lines = response.substring(0, split).split("\r\n");
      Map<String, String> headers = new java.util.HashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
      return new RawResponse(
          Integer.parseInt(lines[0].split(" ")[1]), headers, response.substring(split + 4));
    }
  }
}
