package dev.bulwark.auth;

import static dev.bulwark.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.BulwarkTest;
import dev.bulwark.testing.TestServer;
import dev.bulwark.testing.TestServices;
import dev.bulwark.testing.TestUsers;
import dev.bulwark.testing.TestUsers.TestUser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input on every auth endpoint that reads a body (and the one that reads a path id): each is
 * refused with problem+json and a precise code — for field problems, {@code validation_failed} with
 * exactly the expected {@code errors[].field}/{@code code} pairs — never a 5xx, and a refused
 * signup leaves no account behind.
 */
// these tests send many requests from one address; what they check is validation, not rate limiting
@BulwarkTest(env = "RATE_LIMIT_ENABLED=false")
class AuthBadInputTest {
  /** Passes the password policy; not the shared test user's password. */
  private static final String GOOD_PASSWORD = "Correct-h0rse-battery";

  private static final AtomicInteger SEQ = new AtomicInteger();

  @BulwarkTest.Server private static TestServer server;
  private static TestUser user;

  /** The endpoints that read a JSON body. */
  enum Endpoint {
    SIGNUP(HttpMethod.POST, "/api/v1/auth/signup", false),
    LOGIN(HttpMethod.POST, "/api/v1/auth/login", false),
    REFRESH(HttpMethod.POST, "/api/v1/auth/refresh", false),
    PATCH_ME(HttpMethod.PATCH, "/api/v1/me", true),
    CHANGE_PASSWORD(HttpMethod.POST, "/api/v1/me/password", true);

    final HttpMethod method;
    final String path;
    final boolean authenticated;

    Endpoint(HttpMethod method, String path, boolean authenticated) {
      this.method = method;
      this.path = path;
      this.authenticated = authenticated;
    }
  }

  @BeforeAll
  static void start() {
    user = TestUsers.signup(server);
  }

  // ---- the body as a whole
  // --------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Endpoint.class)
  void malformedJson(Endpoint e) {
    for (String body :
        new String[] {
          "{\"email\":",
          "{",
          "}",
          "{\"a\":1,}",
          "{'a':'b'}",
          "{a:1}",
          "{\"a\":NaN}",
          "{\"a\":01}",
          "{\"a\":1} x",
          "{\"a\":1}{\"b\":2}",
          "{\"a\":\"tab\tinside\"}",
          "nul",
          "\"unterminated",
          "   \n\t ",
          "{\"email\":\"a@example.com\" /* comment */}",
          "// comment\n{}",
          "# comment\n{}"
        }) {
      labelled(body, () -> assertProblem(json(e, body), 400, "malformed_json"));
    }
  }

  @ParameterizedTest
  @EnumSource(Endpoint.class)
  void aMemberNamedTwiceIsRefusedNotResolvedSilently(Endpoint e) {
    JsonObject problem =
        assertProblem(
            json(e, "{\"email\":\"a@example.com\",\"email\":\"b@example.com\"}"),
            400,
            "malformed_json");
    assertTrue(problem.getString("detail").contains("more than once"), problem::encode);
    assertProblem(json(e, "{\"x\":{\"k\":1,\"k\":2}}"), 400, "malformed_json");
  }

  @ParameterizedTest
  @EnumSource(Endpoint.class)
  void jsonThatIsNotAnObject(Endpoint e) {
    for (String body :
        new String[] {
          "[]", "[{\"email\":\"a@example.com\"}]", "\"a string\"", "42", "true", "null"
        }) {
      labelled(body, () -> assertProblem(json(e, body), 400, "malformed_json"));
    }
  }

  @ParameterizedTest
  @EnumSource(Endpoint.class)
  void emptyBody(Endpoint e) {
    assertProblem(send(e, "application/json", Buffer.buffer()), 400, "missing_body");
  }

  @ParameterizedTest
  @EnumSource(Endpoint.class)
  void invalidUtf8(Endpoint e) {
    byte[][] sequences = {
      {(byte) 0xC3, 0x28}, // a lead byte followed by a non-continuation byte
      {(byte) 0x80}, // a lone continuation byte
      {(byte) 0xC0, (byte) 0xAF}, // overlong encoding of '/'
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // an encoded UTF-16 surrogate
      {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // beyond U+10FFFF
      {(byte) 0xFF}, // never valid in UTF-8
      {(byte) 0xE2, (byte) 0x82}, // truncated sequence
    };
    for (byte[] bad : sequences) {
      for (String template :
          new String[] {"{\"email\":\"a%s@example.com\",\"password\":\"x\"}", "{\"k%s\":1}"}) {
        String[] parts = template.split("%s");
        Buffer body = Buffer.buffer(parts[0]).appendBytes(bad).appendString(parts[1]);
        labelled(
            HexFormat.of().formatHex(bad) + " in " + template,
            () -> assertProblem(send(e, "application/json", body), 400, "malformed_json"));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Endpoint.class)
  void deeplyNestedJson(Endpoint e) {
    int depth = 20_000;
    String body = "{\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    assertTrue(body.length() < 64 * 1024);
    assertProblem(json(e, body), 400, "malformed_json");
  }

  @ParameterizedTest
  @EnumSource(Endpoint.class)
  void tenMegabyteBody(Endpoint e) {
    String big = "{\"email\":\"" + "a".repeat(10 * 1024 * 1024) + "\"}";
    assertProblem(json(e, big), 413, "payload_too_large");
  }

  @Test
  void bodyLimitIs64KiB() {
    JsonObject base = signupBody().put("padding", "");
    int filler = 64 * 1024 - base.encode().length();
    Buffer atLimit = Buffer.buffer(base.copy().put("padding", "p".repeat(filler)).encode());
    assertEquals(64 * 1024, atLimit.length());
    // at the limit the body is read and validated (the padding field is unknown) ...
    assertValidation(send(Endpoint.SIGNUP, "application/json", atLimit), "padding:unknown_field");
    // ... one byte more and it is refused unread
    Buffer overLimit = Buffer.buffer(base.copy().put("padding", "p".repeat(filler + 1)).encode());
    assertProblem(send(Endpoint.SIGNUP, "application/json", overLimit), 413, "payload_too_large");
  }

  @ParameterizedTest
  @EnumSource(Endpoint.class)
  void wrongContentType(Endpoint e) {
    Buffer body = Buffer.buffer("{}");
    for (String type :
        new String[] {
          "text/plain",
          "text/plain; charset=utf-8",
          "application/json; charset=latin1",
          "application/json; charset=iso-8859-1",
          "application/json; charset=utf-16",
          "application/x-www-form-urlencoded",
          "application/xml",
          "application/problem+json",
          "application/jsonp",
          "json",
          "*/*"
        }) {
      labelled(type, () -> assertProblem(send(e, type, body), 415, "unsupported_media_type"));
    }
    assertProblem(send(e, null, body), 415, "unsupported_media_type");
  }

  @ParameterizedTest
  @EnumSource(Endpoint.class)
  void jsonContentTypeVariantsAreRead(Endpoint e) {
    // an empty object reaches field validation (400 validation_failed), so the media type was
    // accepted
    for (String type :
        new String[] {
          "application/json",
          "application/json; charset=utf-8",
          "APPLICATION/JSON;charset=\"UTF-8\"",
          "application/json;charset=UTF-8"
        }) {
      labelled(
          type, () -> assertProblem(send(e, type, Buffer.buffer("{}")), 400, "validation_failed"));
    }
  }

  // ---- fields
  // ---------------------------------------------------------------------------------------------------

  /** One refused request and exactly the field errors it must produce ({@code "field:code"}). */
  record Case(String name, Endpoint endpoint, JsonObject body, List<String> errors) {
    @Override
    public String toString() {
      return endpoint + " " + name;
    }
  }

  static Stream<Case> signupCases() {
    List<Case> c = new ArrayList<>();
    c.add(
        new Case(
            "{}",
            Endpoint.SIGNUP,
            new JsonObject(),
            List.of("email:required", "password:required")));
    c.add(signup("no email", b -> b.remove("email"), "email:required"));
    c.add(signup("no password", b -> b.remove("password"), "password:required"));
    for (Object wrong : wrongTypes()) {
      c.add(signup("email " + wrong, b -> b.put("email", wrong), "email:invalid_type"));
      c.add(signup("password " + wrong, b -> b.put("password", wrong), "password:invalid_type"));
      c.add(
          signup(
              "display_name " + wrong,
              b -> b.put("display_name", wrong),
              "display_name:invalid_type"));
      c.add(
          signup(
              "device_name " + wrong,
              b -> b.put("device_name", wrong),
              "device_name:invalid_type"));
    }
    c.add(signup("email null", b -> b.putNull("email"), "email:null_not_allowed"));
    c.add(signup("password null", b -> b.putNull("password"), "password:null_not_allowed"));
    c.add(signup("email empty", b -> b.put("email", ""), "email:empty"));
    c.add(signup("email blank", b -> b.put("email", "   "), "email:invalid_email"));
    c.add(signup("password empty", b -> b.put("password", ""), "password:empty"));
    c.add(signup("display_name empty", b -> b.put("display_name", ""), "display_name:empty"));
    c.add(
        signup(
            "display_name 101",
            b -> b.put("display_name", "n".repeat(101)),
            "display_name:too_long"));
    c.add(signup("device_name empty", b -> b.put("device_name", ""), "device_name:empty"));
    c.add(
        signup(
            "device_name 101", b -> b.put("device_name", "d".repeat(101)), "device_name:too_long"));
    c.add(signup("role", b -> b.put("role", "admin"), "role:unknown_field"));
    c.add(signup("id", b -> b.put("id", UUID.randomUUID().toString()), "id:unknown_field"));
    c.add(signup("Email", b -> b.put("Email", "other@example.com"), "Email:unknown_field"));
    c.add(
        signup(
            "several at once",
            b -> b.put("email", 42).put("password", "").put("is_admin", true),
            "email:invalid_type",
            "password:empty",
            "is_admin:unknown_field"));
    c.add(
        signup(
            "password 7 characters",
            b -> b.put("password", "Sh0rt!x"),
            "password:password_too_short"));
    c.add(
        signup(
            "password 257 characters",
            b -> b.put("password", "x".repeat(257)),
            "password:password_too_long"));
    // 3 characters but 9 bytes: characters are counted, not bytes
    c.add(
        signup(
            "password 3 euro signs", b -> b.put("password", "€€€"), "password:password_too_short"));
    c.add(
        signup(
            "password 1025 chars", b -> b.put("password", "x".repeat(1025)), "password:too_long"));
    c.add(
        signup(
            "password with NUL",
            b -> b.put("password", GOOD_PASSWORD + "\u0000"),
            "password:invalid_characters"));
    c.add(
        signup(
            "email with NUL",
            b -> b.put("email", "a\u0000b@example.com"),
            "email:invalid_characters"));
    c.add(
        signup(
            "password common",
            b -> b.put("password", "password1"),
            "password:password_too_common"));
    c.add(
        signup(
            "password common uppercase",
            b -> b.put("password", "QWERTY123"),
            "password:password_too_common"));
    for (String bad : invalidEmails()) {
      c.add(signup("email <" + bad + ">", b -> b.put("email", bad), "email:invalid_email"));
    }
    c.add(
        signup(
            "email 321 chars",
            b -> b.put("email", "e".repeat(309) + "@example.com"),
            "email:too_long"));
    return c.stream();
  }

  static Stream<Case> loginCases() {
    List<Case> c = new ArrayList<>();
    c.add(
        new Case(
            "{}",
            Endpoint.LOGIN,
            new JsonObject(),
            List.of("email:required", "password:required")));
    c.add(login("no email", b -> b.remove("email"), "email:required"));
    c.add(login("no password", b -> b.remove("password"), "password:required"));
    for (Object wrong : wrongTypes()) {
      c.add(login("email " + wrong, b -> b.put("email", wrong), "email:invalid_type"));
      c.add(login("password " + wrong, b -> b.put("password", wrong), "password:invalid_type"));
      c.add(
          login(
              "device_name " + wrong,
              b -> b.put("device_name", wrong),
              "device_name:invalid_type"));
      c.add(
          login(
              "device_token " + wrong,
              b -> b.put("device_token", wrong),
              "device_token:invalid_type"));
    }
    c.add(login("device_token empty", b -> b.put("device_token", ""), "device_token:empty"));
    c.add(
        login(
            "device_token 257 chars",
            b -> b.put("device_token", "d".repeat(257)),
            "device_token:too_long"));
    c.add(login("email null", b -> b.putNull("email"), "email:null_not_allowed"));
    c.add(login("password null", b -> b.putNull("password"), "password:null_not_allowed"));
    c.add(login("email empty", b -> b.put("email", ""), "email:empty"));
    c.add(login("password empty", b -> b.put("password", ""), "password:empty"));
    c.add(
        login(
            "password 1025 chars", b -> b.put("password", "x".repeat(1025)), "password:too_long"));
    c.add(login("email invalid", b -> b.put("email", "not-an-email"), "email:invalid_email"));
    c.add(login("email two @", b -> b.put("email", "a@b@example.com"), "email:invalid_email"));
    c.add(
        login(
            "display_name is a signup field",
            b -> b.put("display_name", "Ann"),
            "display_name:unknown_field"));
    c.add(login("remember_me", b -> b.put("remember_me", true), "remember_me:unknown_field"));
    return c.stream();
  }

  static Stream<Case> refreshCases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("{}", Endpoint.REFRESH, new JsonObject(), List.of("refresh_token:required")));
    for (Object wrong : wrongTypes()) {
      c.add(
          refresh(
              "refresh_token " + wrong,
              new JsonObject().put("refresh_token", wrong),
              "refresh_token:invalid_type"));
    }
    c.add(
        refresh(
            "null", new JsonObject().putNull("refresh_token"), "refresh_token:null_not_allowed"));
    c.add(refresh("empty", new JsonObject().put("refresh_token", ""), "refresh_token:empty"));
    c.add(
        refresh(
            "513 chars",
            new JsonObject().put("refresh_token", "r".repeat(513)),
            "refresh_token:too_long"));
    c.add(
        refresh(
            "access_token",
            new JsonObject().put("refresh_token", "r".repeat(43)).put("access_token", "x"),
            "access_token:unknown_field"));
    return c.stream();
  }

  static Stream<Case> patchMeCases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("{}", Endpoint.PATCH_ME, new JsonObject(), List.of("display_name:required")));
    for (Object wrong : wrongTypes()) {
      c.add(
          patchMe(
              "display_name " + wrong,
              new JsonObject().put("display_name", wrong),
              "display_name:invalid_type"));
    }
    c.add(patchMe("empty", new JsonObject().put("display_name", ""), "display_name:empty"));
    c.add(
        patchMe(
            "101 chars",
            new JsonObject().put("display_name", "n".repeat(101)),
            "display_name:too_long"));
    c.add(
        patchMe(
            "101 emoji",
            new JsonObject().put("display_name", "😀".repeat(101)),
            "display_name:too_long"));
    for (String serverOwned : new String[] {"id", "email", "created_at", "updated_at"}) {
      c.add(
          patchMe(serverOwned, new JsonObject().put(serverOwned, "x"), serverOwned + ":read_only"));
    }
    c.add(
        patchMe(
            "email with display_name",
            new JsonObject().put("email", "evil@example.com").put("display_name", "Eve"),
            "email:read_only"));
    c.add(patchMe("avatar", new JsonObject().put("avatar", "x"), "avatar:unknown_field"));
    c.add(
        patchMe(
            "password", new JsonObject().put("password", GOOD_PASSWORD), "password:unknown_field"));
    return c.stream();
  }

  static Stream<Case> changePasswordCases() {
    List<Case> c = new ArrayList<>();
    c.add(
        new Case(
            "{}",
            Endpoint.CHANGE_PASSWORD,
            new JsonObject(),
            List.of("current_password:required", "new_password:required")));
    c.add(
        changePassword(
            "no current", b -> b.remove("current_password"), "current_password:required"));
    c.add(changePassword("no new", b -> b.remove("new_password"), "new_password:required"));
    for (Object wrong : wrongTypes()) {
      c.add(
          changePassword(
              "current " + wrong,
              b -> b.put("current_password", wrong),
              "current_password:invalid_type"));
      c.add(
          changePassword(
              "new " + wrong, b -> b.put("new_password", wrong), "new_password:invalid_type"));
    }
    c.add(
        changePassword(
            "current null",
            b -> b.putNull("current_password"),
            "current_password:null_not_allowed"));
    c.add(
        changePassword(
            "new null", b -> b.putNull("new_password"), "new_password:null_not_allowed"));
    c.add(
        changePassword(
            "current empty", b -> b.put("current_password", ""), "current_password:empty"));
    c.add(changePassword("new empty", b -> b.put("new_password", ""), "new_password:empty"));
    c.add(
        changePassword(
            "current 1025 chars",
            b -> b.put("current_password", "x".repeat(1025)),
            "current_password:too_long"));
    c.add(
        changePassword(
            "new 7 characters",
            b -> b.put("new_password", "Sh0rt!x"),
            "new_password:password_too_short"));
    c.add(
        changePassword(
            "new 3 euro signs",
            b -> b.put("new_password", "€€€"),
            "new_password:password_too_short"));
    c.add(
        changePassword(
            "new 257 characters",
            b -> b.put("new_password", "y".repeat(257)),
            "new_password:password_too_long"));
    c.add(
        changePassword(
            "new common",
            b -> b.put("new_password", "Password1"),
            "new_password:password_too_common"));
    c.add(
        changePassword(
            "new 1025 chars",
            b -> b.put("new_password", "x".repeat(1025)),
            "new_password:too_long"));
    c.add(
        changePassword(
            "unchanged",
            b -> b.put("new_password", TestUsers.PASSWORD),
            "new_password:password_unchanged"));
    c.add(
        changePassword(
            "password", b -> b.put("password", GOOD_PASSWORD), "password:unknown_field"));
    c.add(
        changePassword(
            "confirm_password",
            b -> b.put("confirm_password", GOOD_PASSWORD),
            "confirm_password:unknown_field"));
    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource({
    "signupCases",
    "loginCases",
    "refreshCases",
    "patchMeCases",
    "changePasswordCases"
  })
  void fieldProblemsAreReportedPrecisely(Case c) {
    HttpResponse<Buffer> r = server.send(request(c.endpoint()), c.body());
    assertValidation(r, c.errors().toArray(String[]::new));
    assertNothingEchoed(c.body(), r);
    if (c.endpoint() == Endpoint.SIGNUP && c.body().getValue("email") instanceof String email) {
      assertNoAccount(email);
    }
  }

  @Test
  void refusedSignupLeavesNothingBehind() {
    for (Consumer<JsonObject> fault :
        List.<Consumer<JsonObject>>of(
            b -> b.put("password", "password1"),
            b -> b.put("password", "€€€"),
            b -> b.put("display_name", 42),
            b -> b.put("role", "admin"))) {
      String email = TestUsers.uniqueEmail();
      JsonObject body = new JsonObject().put("email", email).put("password", GOOD_PASSWORD);
      fault.accept(body);
      assertProblem(server.send(request(Endpoint.SIGNUP), body), 400, "validation_failed");
      assertNoAccount(email);
      HttpResponse<Buffer> login =
          server.send(
              request(Endpoint.LOGIN),
              new JsonObject()
                  .put("email", email)
                  .put(
                      "password",
                      body.getValue("password") instanceof String p ? p : GOOD_PASSWORD));
      assertProblem(login, 401, "invalid_credentials");
      HttpResponse<Buffer> retry =
          server.send(
              request(Endpoint.SIGNUP),
              new JsonObject().put("email", email).put("password", GOOD_PASSWORD));
      assertEquals(201, retry.statusCode(), retry.bodyAsString());
    }
  }

  // ---- emails
  // ---------------------------------------------------------------------------------------------------

  @Test
  void unusualButValidEmailsAreAccepted() {
    int n = SEQ.incrementAndGet();
    for (String email :
        new String[] {
          "first.last+tag" + n + "@example.com",
          "user" + n + "@mail.eu.example.co.uk",
          "o'brien" + n + "@example.ie",
          "mary-jane" + n + "@my-domain.example.com",
          "user" + n + "@123example.com",
          "user" + n + "@example.photography",
          "\"john doe " + n + "\"@example.com"
        }) {
      HttpResponse<Buffer> r =
          server.send(
              request(Endpoint.SIGNUP),
              new JsonObject().put("email", email).put("password", GOOD_PASSWORD));
      assertEquals(201, r.statusCode(), () -> email + ": " + r.bodyAsString());
      assertEquals(
          email, profile(r.bodyAsJsonObject().getString("access_token")).getString("email"));
    }
  }

  @Test
  void emailsAreLowerCasedSoCaseVariantsAreTheSameAccount() {
    String local = "John.Smith" + SEQ.incrementAndGet();
    HttpResponse<Buffer> first =
        server.send(
            request(Endpoint.SIGNUP),
            new JsonObject().put("email", local + "@Example.COM").put("password", GOOD_PASSWORD));
    assertEquals(201, first.statusCode(), first.bodyAsString());
    String canonical = (local + "@example.com").toLowerCase(Locale.ROOT);
    assertEquals(
        canonical, profile(first.bodyAsJsonObject().getString("access_token")).getString("email"));

    for (String variant :
        new String[] {
          local.toUpperCase(Locale.ROOT) + "@EXAMPLE.com", canonical, "  " + canonical + " "
        }) {
      HttpResponse<Buffer> again =
          server.send(
              request(Endpoint.SIGNUP),
              new JsonObject().put("email", variant).put("password", GOOD_PASSWORD));
      assertProblem(again, 409, "email_taken");
    }
    HttpResponse<Buffer> login =
        server.send(
            request(Endpoint.LOGIN),
            new JsonObject()
                .put("email", local.toUpperCase(Locale.ROOT) + "@example.COM")
                .put("password", GOOD_PASSWORD));
    assertEquals(200, login.statusCode(), login.bodyAsString());
  }

  // ---- passwords
  // ------------------------------------------------------------------------------------------------

  @Test
  void seventyTwoBytePasswordIsUsedInFull() {
    String email = TestUsers.uniqueEmail();
    String password = "€".repeat(24);
    assertEquals(72, password.getBytes(StandardCharsets.UTF_8).length);
    HttpResponse<Buffer> r =
        server.send(
            request(Endpoint.SIGNUP),
            new JsonObject().put("email", email).put("password", password));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    // the last three bytes differ: a truncating hash would accept this
    String lastCharDiffers = "€".repeat(23) + "£";
    assertProblem(
        server.send(
            request(Endpoint.LOGIN),
            new JsonObject().put("email", email).put("password", lastCharDiffers)),
        401,
        "invalid_credentials");
    HttpResponse<Buffer> login =
        server.send(
            request(Endpoint.LOGIN),
            new JsonObject().put("email", email).put("password", password));
    assertEquals(200, login.statusCode(), login.bodyAsString());
  }

  @Test
  void loginDoesNotApplyTheNewPasswordPolicy() {
    // a short or common password is simply wrong at login: no hint that it would not be allowed at
    // signup
    for (String password : new String[] {"x", "password1"}) {
      HttpResponse<Buffer> r =
          server.send(
              request(Endpoint.LOGIN),
              new JsonObject().put("email", TestUsers.uniqueEmail()).put("password", password));
      assertProblem(r, 401, "invalid_credentials");
    }
  }

  @Test
  void loginWithAPasswordLongerThanBcryptTakesIsJustWrong() {
    // no account can have one (signup refuses them), so it cannot match — and must not break the
    // hasher
    for (String email : new String[] {user.email(), TestUsers.uniqueEmail()}) {
      for (String password : new String[] {"x".repeat(73), "€".repeat(25), "y".repeat(1024)}) {
        long started = System.nanoTime();
        HttpResponse<Buffer> r =
            server.send(
                request(Endpoint.LOGIN),
                new JsonObject().put("email", email).put("password", password));
        assertProblem(r, 401, "invalid_credentials");
        assertTrue(
            System.nanoTime() - started < 5_000_000_000L,
            "answered at once, not after the hasher timed out");
      }
    }
    assertEquals(
        200,
        server
            .send(
                request(Endpoint.LOGIN),
                new JsonObject().put("email", user.email()).put("password", user.password()))
            .statusCode());
  }

  @Test
  void changePasswordWithACurrentPasswordLongerThanBcryptTakesIsJustWrong() {
    HttpResponse<Buffer> r =
        server.send(
            request(Endpoint.CHANGE_PASSWORD),
            new JsonObject()
                .put("current_password", "x".repeat(73))
                .put("new_password", GOOD_PASSWORD));
    assertProblem(r, 401, "invalid_credentials");
  }

  @Test
  void refusedPasswordChangesLeaveThePasswordAsItWas() {
    TestUser someone = TestUsers.signup(server);
    for (JsonObject body :
        new JsonObject[] {
          new JsonObject()
              .put("current_password", someone.password())
              .put("new_password", "password1"),
          new JsonObject()
              .put("current_password", someone.password())
              .put("new_password", GOOD_PASSWORD)
              .put("x", 1)
        }) {
      HttpResponse<Buffer> r =
          server.send(
              TestUsers.as(server, someone, HttpMethod.POST, Endpoint.CHANGE_PASSWORD.path), body);
      assertProblem(r, 400, "validation_failed");
    }
    assertProblem(
        server.send(
            TestUsers.as(server, someone, HttpMethod.POST, Endpoint.CHANGE_PASSWORD.path),
            new JsonObject()
                .put("current_password", "Not-the-current-0ne")
                .put("new_password", GOOD_PASSWORD)),
        401,
        "invalid_credentials");
    assertProblem(
        server.send(
            request(Endpoint.LOGIN),
            new JsonObject().put("email", someone.email()).put("password", GOOD_PASSWORD)),
        401,
        "invalid_credentials");
    assertEquals(
        200,
        server
            .send(
                request(Endpoint.LOGIN),
                new JsonObject().put("email", someone.email()).put("password", someone.password()))
            .statusCode());
    assertEquals(200, me(someone.accessToken()).statusCode(), "the session was not ended");
  }

  // ---- refresh
  // --------------------------------------------------------------------------------------------------

  @Test
  void implausibleRefreshTokensAreRefusedWithoutALookup() {
    for (String token :
        new String[] {
          "abc",
          "r".repeat(42),
          "r".repeat(44),
          "+".repeat(43),
          "a".repeat(42) + "=",
          "a".repeat(42) + " ",
          "é".repeat(43),
          user.accessToken()
        }) {
      HttpResponse<Buffer> r =
          server.send(request(Endpoint.REFRESH), new JsonObject().put("refresh_token", token));
      JsonObject body = assertProblem(r, 401, "invalid_refresh_token");
      assertNull(body.getValue("errors"));
    }
  }

  @Test
  void wellFormedButUnknownRefreshToken() {
    HttpResponse<Buffer> r =
        server.send(
            request(Endpoint.REFRESH), new JsonObject().put("refresh_token", "A".repeat(43)));
    assertProblem(r, 401, "invalid_refresh_token");
  }

  // ---- profile
  // --------------------------------------------------------------------------------------------------

  @Test
  void refusedProfileChangesChangeNothing() {
    TestUser someone = TestUsers.signup(server);
    JsonObject before = profile(someone.accessToken());
    for (JsonObject body :
        new JsonObject[] {
          new JsonObject().put("email", "evil@example.com").put("display_name", "Eve"),
          new JsonObject().put("display_name", "Eve").put("id", UUID.randomUUID().toString()),
          new JsonObject().put("display_name", "n".repeat(101)),
          new JsonObject().put("display_name", "Eve").put("role", "admin")
        }) {
      HttpResponse<Buffer> r =
          server.send(
              TestUsers.as(server, someone, HttpMethod.PATCH, Endpoint.PATCH_ME.path), body);
      assertProblem(r, 400, "validation_failed");
    }
    assertEquals(before, profile(someone.accessToken()));
  }

  @Test
  void displayNameEdgesThatAreAccepted() {
    TestUser someone = TestUsers.signup(server);
    // lengths count code points: 100 emoji are 200 UTF-16 chars and 400 bytes
    String emoji = "😀".repeat(100);
    assertEquals(
        emoji,
        patchMe(someone, new JsonObject().put("display_name", emoji)).getString("display_name"));
    assertEquals(
        "n".repeat(100),
        patchMe(someone, new JsonObject().put("display_name", "n".repeat(100)))
            .getString("display_name"));
    assertEquals(
        "Ann",
        patchMe(someone, new JsonObject().put("display_name", "  Ann  "))
            .getString("display_name"));
    JsonObject cleared = patchMe(someone, new JsonObject().putNull("display_name"));
    assertTrue(cleared.containsKey("display_name"));
    assertNull(cleared.getValue("display_name"));
  }

  // ---- control characters
  // -------------------------------------------------------------------------------------

  @Test
  void nulCharactersInStoredTextAreRefusedNotAServerError() {
    HttpResponse<Buffer> patch =
        server.send(
            TestUsers.as(server, user, HttpMethod.PATCH, Endpoint.PATCH_ME.path),
            new JsonObject().put("display_name", "a\u0000b"));
    assertValidation(patch, "display_name:invalid_characters");

    String email = TestUsers.uniqueEmail();
    HttpResponse<Buffer> signup =
        server.send(
            request(Endpoint.SIGNUP),
            new JsonObject()
                .put("email", email)
                .put("password", GOOD_PASSWORD)
                .put("display_name", "a\u0000b")
                .put("device_name", "\u0000"));
    assertValidation(signup, "display_name:invalid_characters", "device_name:invalid_characters");
    assertNoAccount(email);

    HttpResponse<Buffer> login =
        server.send(
            request(Endpoint.LOGIN),
            new JsonObject()
                .put("email", user.email())
                .put("password", user.password())
                .put("device_name", "phone\u0000"));
    assertValidation(login, "device_name:invalid_characters");
  }

  // ---- session ids
  // ----------------------------------------------------------------------------------------------

  @Test
  void sessionIdMustBeAUuid() {
    UUID id = UUID.randomUUID();
    for (String bad :
        new String[] {
          "abc",
          "123",
          "current",
          id.toString().substring(1),
          id + "0",
          id.toString().replace("-", ""),
          "%7B" + id + "%7D",
          "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
          "%20" + id.toString().substring(1),
          id.toString().replace('-', '_')
        }) {
      labelled(
          bad,
          () ->
              assertValidation(
                  server.send(
                      TestUsers.as(
                          server, user, HttpMethod.DELETE, "/api/v1/auth/sessions/" + bad)),
                  "id:invalid_uuid"));
    }
  }

  @Test
  void unknownSessionIdIsNotFound() {
    HttpResponse<Buffer> r =
        server.send(
            TestUsers.as(
                server,
                user,
                HttpMethod.DELETE,
                "/api/v1/auth/sessions/" + UUID.randomUUID().toString().toUpperCase(Locale.ROOT)));
    assertProblem(r, 404, "not_found");
    assertEquals(200, me(user.accessToken()).statusCode());
  }

  // ---- helpers
  // --------------------------------------------------------------------------------------------------

  /** Runs an assertion made inside a loop, naming the input it was about when it fails. */
  private static void labelled(String input, Runnable assertion) {
    try {
      assertion.run();
    } catch (AssertionError e) {
      throw new AssertionError("<" + input + ">: " + e.getMessage(), e);
    }
  }

  private static Object[] wrongTypes() {
    return new Object[] {42, 4.2, true, new JsonObject().put("v", "x"), new JsonArray().add("x")};
  }

  private static String[] invalidEmails() {
    return new String[] {
      "plainaddress",
      "a@b@example.com",
      "user@localhost",
      "user@example.com.",
      ".user@example.com",
      "user.@example.com",
      "us..er@example.com",
      "user name@example.com",
      "user@exa mple.com",
      "@example.com",
      "user@",
      "user@-example.com",
      "user@example.123",
      "user@[127.0.0.1]",
      "üser@example.com",
      "l".repeat(64) + "@" + "d".repeat(63) + "." + "d".repeat(63) + "." + "d".repeat(58) + ".com",
      "l".repeat(65) + "@example.com"
    };
  }

  private static JsonObject signupBody() {
    return new JsonObject().put("email", TestUsers.uniqueEmail()).put("password", GOOD_PASSWORD);
  }

  private static Case signup(String name, Consumer<JsonObject> change, String... errors) {
    JsonObject body = signupBody();
    change.accept(body);
    return new Case(name, Endpoint.SIGNUP, body, List.of(errors));
  }

  private static Case login(String name, Consumer<JsonObject> change, String... errors) {
    JsonObject body =
        new JsonObject().put("email", TestUsers.uniqueEmail()).put("password", GOOD_PASSWORD);
    change.accept(body);
    return new Case(name, Endpoint.LOGIN, body, List.of(errors));
  }

  private static Case refresh(String name, JsonObject body, String... errors) {
    return new Case(name, Endpoint.REFRESH, body, List.of(errors));
  }

  private static Case patchMe(String name, JsonObject body, String... errors) {
    return new Case(name, Endpoint.PATCH_ME, body, List.of(errors));
  }

  private static Case changePassword(String name, Consumer<JsonObject> change, String... errors) {
    JsonObject body =
        new JsonObject()
            .put("current_password", TestUsers.PASSWORD)
            .put("new_password", GOOD_PASSWORD);
    change.accept(body);
    return new Case(name, Endpoint.CHANGE_PASSWORD, body, List.of(errors));
  }

  private static HttpRequest<Buffer> request(Endpoint e) {
    HttpRequest<Buffer> r = server.request(e.method, e.path);
    return e.authenticated ? r.putHeader("Authorization", user.bearer()) : r;
  }

  private static HttpResponse<Buffer> send(Endpoint e, String contentType, Buffer body) {
    HttpRequest<Buffer> r = request(e);
    if (contentType != null) {
      r.putHeader("Content-Type", contentType);
    }
    return server.send(r, body);
  }

  private static HttpResponse<Buffer> json(Endpoint e, String body) {
    return send(e, "application/json", Buffer.buffer(body));
  }

  /**
   * 400 validation_failed whose errors are exactly these {@code field:code} pairs, each with a
   * message.
   */
  private static void assertValidation(HttpResponse<Buffer> r, String... expected) {
    JsonObject body = assertProblem(r, 400, "validation_failed");
    JsonArray errors = body.getJsonArray("errors");
    assertNotNull(errors, () -> "errors; body: " + body);
    Set<String> actual = new HashSet<>();
    for (int i = 0; i < errors.size(); i++) {
      JsonObject e = errors.getJsonObject(i);
      assertNotNull(e.getString("message"), () -> "message; body: " + body);
      actual.add(e.getString("field") + ":" + e.getString("code"));
    }
    assertEquals(Set.of(expected), actual, () -> "errors; body: " + body);
    assertEquals(expected.length, errors.size(), () -> "duplicate errors; body: " + body);
  }

  private static HttpResponse<Buffer> me(String accessToken) {
    return server.send(
        server
            .request(HttpMethod.GET, "/api/v1/me")
            .putHeader("Authorization", "Bearer " + accessToken));
  }

  private static JsonObject profile(String accessToken) {
    HttpResponse<Buffer> r = me(accessToken);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static JsonObject patchMe(TestUser someone, JsonObject body) {
    HttpResponse<Buffer> r =
        server.send(TestUsers.as(server, someone, HttpMethod.PATCH, Endpoint.PATCH_ME.path), body);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /**
   * Submitted values (passwords among them) never come back in an error's texts; field names may.
   */
  private static void assertNothingEchoed(JsonObject request, HttpResponse<Buffer> response) {
    JsonObject problem = response.bodyAsJsonObject();
    StringBuilder texts = new StringBuilder(problem.getString("detail"));
    for (Object e : problem.getJsonArray("errors", new JsonArray())) {
      texts.append('\n').append(((JsonObject) e).getString("message"));
    }
    for (String name : request.fieldNames()) {
      if (request.getValue(name) instanceof String value && value.length() >= 6) {
        assertFalse(
            texts.toString().contains(value),
            () -> "the value of '" + name + "' was echoed: " + problem);
      }
    }
  }

  /** No account under this address (as given, or as the server would normalise it). */
  private static void assertNoAccount(String email) {
    try (Connection c = TestServices.get().jdbc(TestServices.get().databaseUrl());
        PreparedStatement q =
            c.prepareStatement("SELECT count(*) FROM users WHERE email = lower(trim(?))")) {
      q.setString(1, email.replace("\u0000", ""));
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        assertEquals(0, rs.getInt(1), () -> "an account exists for " + email);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
