package dev.bulwark.admin;

import dev.bulwark.auth.AuditLog;
import dev.bulwark.auth.Emails;
import dev.bulwark.auth.PasswordHashes;
import dev.bulwark.auth.PasswordPolicy;
import dev.bulwark.auth.UserRepository;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.Environment;
import dev.bulwark.core.FieldError;
import dev.bulwark.core.Role;
import dev.bulwark.infra.DevServices;
import dev.bulwark.infra.Migrations;
import dev.bulwark.infra.PostgresPool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@code admin create --email E [--force]}: the first administrator, from the command line only.
 * The password comes from {@code BULWARK_ADMIN_PASSWORD} or the first line of standard input, never
 * from an argument (arguments show in {@code ps} and shell history). Idempotent: an existing
 * administrator is left as it is, an existing account of another role is promoted (its password
 * unchanged). Under the production profile it runs only while the database has no active
 * administrator, unless {@code --force} is given. Runs on the calling thread, like {@code seed}.
 */
public final class AdminCommand {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int REFUSED = 2;
  public static final int USAGE_ERROR = 64;
  public static final String PASSWORD_ENV = "BULWARK_ADMIN_PASSWORD";
  public static final String USAGE =
      "usage: java -jar bulwark.jar admin create --email <email> [--display-name <name>] [--force]\n"
          + "       the password is read from "
          + PASSWORD_ENV
          + " or, when unset, from the first line of standard input";

  /** The parsed arguments. */
  record Options(String email, String displayName, boolean force) {}

  /** A bad command line: exit 64 with the message and the usage. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message, null, false, false);
    }
  }

  private AdminCommand() {}

  static Options parse(List<String> args) throws UsageException {
    if (args.isEmpty() || !args.get(0).equals("create")) {
      throw new UsageException("the only subcommand is 'create'");
    }
    String email = null;
    String name = null;
    boolean force = false;
    for (int i = 1; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--email" -> email = value(args, ++i, a);
        case "--display-name" -> name = value(args, ++i, a);
        case "--force" -> force = true;
        case "--password" ->
            throw new UsageException(
                "a password is never an argument: set " + PASSWORD_ENV + " or pipe it on stdin");
        default -> throw new UsageException("unknown option " + a);
      }
    }
    if (email == null) {
      throw new UsageException("--email is required");
    }
    String normalized = Emails.normalize(email);
    if (normalized == null) {
      throw new UsageException("--email is not a valid email address");
    }
    return new Options(normalized, name, force);
  }

  private static String value(List<String> args, int i, String option) throws UsageException {
    if (i >= args.size()) {
      throw new UsageException(option + " needs a value");
    }
    return args.get(i);
  }

  /**
   * Runs the command and returns its exit code; messages go to {@code out} (what happened) and
   * {@code err} (why not).
   */
  public static int run(
      List<String> args,
      BulwarkConfig config,
      Map<String, String> env,
      InputStream stdin,
      PrintStream out,
      PrintStream err) {
    Options options;
    String password;
    try {
      options = parse(args);
      password = password(env, stdin);
    } catch (UsageException e) {
      err.println("admin: " + e.getMessage());
      err.println(USAGE);
      return USAGE_ERROR;
    }
    Vertx vertx = Vertx.vertx();
    DevServices dev = new DevServices();
    Pool pg = null;
    try {
      BulwarkConfig resolved = dev.start(config);
      Migrations.migrate(vertx, resolved.database().url()).await();
      pg = PostgresPool.create(vertx, resolved.database());
      UserRepository.ensureRoles(pg, resolved.auth().roles().names()).await();
      String hash =
          new PasswordHashes(resolved.auth().passwordPepper(), resolved.hasher().rounds())
              .hash(password);
      Outcome outcome = create(pg, resolved, options, hash).await();
      if (outcome == Outcome.REFUSED) {
        err.println(
            "admin: refused — the database already has an administrator and this is the"
                + " production profile; add --force to create another");
        return REFUSED;
      }
      out.println("admin: " + options.email() + " " + outcome.message);
      return OK;
    } catch (Exception e) {
      err.println("admin: failed — " + e.getMessage());
      return FAILED;
    } finally {
      if (pg != null) {
        pg.close().await();
      }
      dev.close();
      vertx.close().await();
    }
  }

  /** What the command did. */
  enum Outcome {
    CREATED("created as an administrator"),
    PROMOTED("already had an account: now an administrator (its password is unchanged)"),
    UNCHANGED("is already an administrator: nothing to do"),
    REFUSED("");

    final String message;

    Outcome(String message) {
      this.message = message;
    }
  }

  /** In one transaction holding the administrators' lock: check, then create or promote. */
  private static Future<Outcome> create(
      Pool pg, BulwarkConfig config, Options options, String hash) {
    String admin = config.auth().roles().name(Role.ADMIN);
    boolean production = config.environment() == Environment.PRODUCTION;
    return pg.withTransaction(
        conn ->
            UserRepository.lockAndCountActiveAdmins(conn, admin)
                .compose(
                    admins ->
                        UserRepository.credentials(conn, options.email())
                            .compose(
                                existing -> {
                                  if (existing != null
                                      && existing.role().equals(admin)
                                      && !existing.disabled()) {
                                    return Future.succeededFuture(Outcome.UNCHANGED);
                                  }
                                  if (production && admins > 0 && !options.force()) {
                                    return Future.succeededFuture(Outcome.REFUSED);
                                  }
                                  Future<UUID> id =
                                      existing == null
                                          ? UserRepository.insert(
                                              conn,
                                              options.email(),
                                              hash,
                                              options.displayName(),
                                              admin)
                                          : AdminRepository.updateUser(
                                                  conn, existing.id(), admin, false)
                                              .map(AdminRepository.Account::id);
                                  Outcome done =
                                      existing == null ? Outcome.CREATED : Outcome.PROMOTED;
                                  return id.compose(
                                      userId ->
                                          AuditLog.record(
                                                  conn,
                                                  new AuditLog.Event(
                                                      "admin_bootstrap",
                                                      userId,
                                                      null,
                                                      null,
                                                      null,
                                                      new JsonObject()
                                                          .put("via", "command_line")
                                                          .put(
                                                              "outcome",
                                                              done.name().toLowerCase(Locale.ROOT))
                                                          .put("force", options.force())))
                                              .map(done));
                                })));
  }

  /** From the environment, else the first line of standard input; checked against the policy. */
  static String password(Map<String, String> env, InputStream stdin) throws UsageException {
    String raw = env.get(PASSWORD_ENV);
    if (raw == null || raw.isEmpty()) {
      try {
        raw = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
      } catch (IOException e) {
        raw = null;
      }
    }
    if (raw == null || raw.isEmpty()) {
      throw new UsageException("no password: set " + PASSWORD_ENV + " or pipe it on stdin");
    }
    String password = PasswordPolicy.normalize(raw);
    FieldError problem = PasswordPolicy.check("password", password);
    if (problem != null) {
      throw new UsageException("the password is refused: " + problem.message());
    }
    return password;
  }
}
