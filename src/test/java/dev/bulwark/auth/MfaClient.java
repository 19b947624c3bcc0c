package dev.bulwark.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** What an authenticator app and a client do, for the MFA tests. */
public final class MfaClient {
  private final TestServer server;
  private final Clock clock;

  public MfaClient(TestServer server, Clock clock) {
    this.server = server;
    this.clock = clock;
  }

  /** An enrolled, active factor: its id, secret and recovery codes. */
  public record Factor(String id, byte[] secret, List<String> recoveryCodes) {}

  public long step() {
    return Totp.step(Instant.now(clock));
  }

  public static String code(byte[] secret, long step) {
    return Totp.code(secret, step);
  }

  public HttpResponse<Buffer> enrol(TestUser u) {
    return server.send(TestUsers.as(server, u, HttpMethod.POST, "/api/v1/me/mfa/totp"));
  }

  public HttpResponse<Buffer> activate(TestUser u, String factorId, String code) {
    return server.send(
        TestUsers.as(server, u, HttpMethod.POST, "/api/v1/me/mfa/totp/" + factorId + "/activate"),
        new JsonObject().put("code", code));
  }

  /**
   * Enrols and activates a factor with the code of the previous step (inside the window), so the
   * current and next steps stay unused for the test.
   */
  public Factor enrolAndActivate(TestUser u) {
    HttpResponse<Buffer> enrolled = enrol(u);
    assertEquals(201, enrolled.statusCode(), enrolled::bodyAsString);
    String id = enrolled.bodyAsJsonObject().getString("factor_id");
    byte[] secret = decode(enrolled.bodyAsJsonObject().getString("secret"));
    HttpResponse<Buffer> activated = activate(u, id, code(secret, step() - 1));
    assertEquals(200, activated.statusCode(), activated::bodyAsString);
    JsonArray codes = activated.bodyAsJsonObject().getJsonArray("recovery_codes");
    return new Factor(id, secret, codes.getList());
  }

  public HttpResponse<Buffer> login(TestUser u) {
    return server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/login"),
        new JsonObject().put("email", u.email()).put("password", u.password()));
  }

  /** The mfa_token of a login that must be completed with a second factor. */
  public String mfaToken(TestUser u) {
    HttpResponse<Buffer> r = login(u);
    assertEquals(200, r.statusCode(), r::bodyAsString);
    JsonObject body = r.bodyAsJsonObject();
    assertEquals(Boolean.TRUE, body.getBoolean("mfa_required"), body::encode);
    return body.getString("mfa_token");
  }

  public HttpResponse<Buffer> verify(String mfaToken, String code) {
    return server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/mfa/verify"),
        new JsonObject().put("mfa_token", mfaToken).put("code", code));
  }

  public HttpResponse<Buffer> verifyRecovery(String mfaToken, String recoveryCode) {
    return server.send(
        server.request(HttpMethod.POST, "/api/v1/auth/mfa/verify"),
        new JsonObject().put("mfa_token", mfaToken).put("recovery_code", recoveryCode));
  }

  /** A signed-in user at level 2: password, then the current code. */
  public TestUser signInWithCode(TestUser u, byte[] secret, long step) {
    HttpResponse<Buffer> r = verify(mfaToken(u), code(secret, step));
    assertEquals(200, r.statusCode(), r::bodyAsString);
    return TestUsers.fromPair(u.email(), u.password(), r.bodyAsJsonObject());
  }

  public static byte[] decode(String base32) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    byte[] out = new byte[base32.length() * 5 / 8];
    int buffer = 0;
    int bits = 0;
    int n = 0;
    for (char c : base32.toCharArray()) {
      buffer = (buffer << 5) | alphabet.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        out[n++] = (byte) (buffer >> (bits - 8));
        bits -= 8;
      }
    }
    return out;
  }
}
