package dev.bulwark.ops;

import dev.bulwark.auth.AccessTokens;
import dev.bulwark.auth.PasswordHashes;
import dev.bulwark.auth.RefreshTokens;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.Environment;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code bulwark.jar seed --users N --tasks-per-user M [--out file] [--prefix p] [--token-minutes
 * T] [--allow-production-profile]}: fills PostgreSQL with benchmark accounts, each with one live
 * session (a real refresh-token row) and M tasks, and writes {@code
 * email,password,user_id,session_id,access_token,refresh_token} per user for the load tests.
 *
 * <p>Fast by construction: the fixed benchmark password is hashed once (at the configured bcrypt
 * cost, so logins cost what production logins cost), rows go in as {@code unnest()} batches, tasks
 * are generated server-side, and tokens are minted here exactly as the server mints them. Each run
 * uses a fresh email prefix, so re-running adds users rather than colliding; an explicit {@code
 * --prefix} that was used before skips the existing emails. Runs on {@code main}: the blocking
 * waits here never touch an event loop the server uses.
 *
 * <p>The access tokens live {@code --token-minutes} (default: the configured {@code
 * ACCESS_TOKEN_EXPIRE_MINUTES}): a server checks their expiry, not its own lifetime setting, so a
 * run longer than 15 minutes against a server started with the defaults needs it. At the end the
 * seeded tables are analyzed: after a bulk insert PostgreSQL has no statistics for them until
 * autovacuum gets round to it, and the first minute of traffic would run on plans made blind.
 */
public final class Seeder {
  /**
   * The password every seeded account has. Only for benchmark data: never seed a production
   * database.
   */
  public static final String PASSWORD = "bulwark-bench-Pa55word!";

  public static final String CSV_HEADER =
      "email,password,user_id,session_id,access_token,refresh_token";
  static final int MAX_USERS = 1_000_000;
  static final int MAX_ROWS_PER_STATEMENT = 20_000;
  static final int MAX_TOKEN_MINUTES = 7 * 24 * 60;
  private static final String ANALYZE = "ANALYZE users, sessions, refresh_tokens, tasks";
  private static final long TIMEOUT_SECONDS = 120;

  private static final String INSERT_USERS =
      """
      INSERT INTO users (id, email, password_hash, display_name)
      SELECT id, email, $3, 'Bench ' || split_part(email, '@', 1)
      FROM unnest($1::uuid[], $2::text[]) AS u(id, email)
      ON CONFLICT (email) DO NOTHING
      RETURNING id""";
  private static final String INSERT_SESSIONS =
      """
      INSERT INTO sessions (id, user_id, device_name, user_agent, ip, expires_at)
      SELECT s, u, 'load-test', 'bulwark-seed', '127.0.0.1', now() + make_interval(secs => $3)
      FROM unnest($1::uuid[], $2::uuid[]) AS x(s, u)""";
  private static final String INSERT_TOKENS =
      """
      INSERT INTO refresh_tokens (session_id, token_hash, expires_at)
      SELECT s, decode(h, 'hex'), now() + make_interval(secs => $3)
      FROM unnest($1::uuid[], $2::text[]) AS x(s, h)""";
  // created_at spread one minute apart going back, so pages and sorts see distinct keys; a third of
  // each status
  private static final String INSERT_TASKS =
      """
      INSERT INTO tasks (user_id, title, notes, status, priority, due_at, created_at, updated_at)
      SELECT u, 'Seeded task ' || g, CASE WHEN g % 4 = 0 THEN 'Notes for task ' || g END,
             (ARRAY['todo','in_progress','done'])[1 + g % 3], (ARRAY['low','normal','high'])[1 + g % 3],
             CASE WHEN g % 2 = 0 THEN now() + make_interval(days => g % 30) END,
             now() - make_interval(mins => g), now() - make_interval(mins => g)
      FROM unnest($1::uuid[]) AS u, generate_series(1, $2) AS g""";

  /**
   * What to seed; {@link #parse} checks it before anything starts. {@code allowProductionProfile}:
   * the operator said explicitly that this production-profile database is a private benchmark one.
   */
  public record Options(
      int users,
      int tasksPerUser,
      Path out,
      String prefix,
      Integer tokenMinutes,
      boolean allowProductionProfile) {}

  /** The flag that lets {@code seed} run under a staging or production profile. */
  public static final String ALLOW_PRODUCTION_PROFILE = "--allow-production-profile";

  /** A refused command line: the message says which argument and why. */
  public static final class UsageException extends Exception {
    public UsageException(String message) {
      super(message, null, false, false);
    }
  }

  /** Counts of what one run wrote. */
  public record Result(int users, long tasks, Path out, String prefix) {}

  public static final String USAGE =
      "usage: java -jar bulwark.jar seed --users N --tasks-per-user M [--out FILE] "
          + "[--prefix P] [--token-minutes T] ["
          + ALLOW_PRODUCTION_PROFILE
          + "]";

  private Seeder() {}

  public static Options parse(List<String> args, int maxTasksPerUser) throws UsageException {
    Integer users = null;
    Integer tasks = null;
    Path out = Path.of("load-tests", "data", "users.csv");
    String prefix = "bench" + Long.toString(System.currentTimeMillis(), 36);
    Integer tokenMinutes = null;
    boolean allowProductionProfile = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals(ALLOW_PRODUCTION_PROFILE)) {
        allowProductionProfile = true;
        continue;
      }
      if (i + 1 >= args.size()) {
        throw new UsageException(
            arg.startsWith("--") ? arg + " needs a value" : "unexpected argument '" + arg + "'");
      }
      String value = args.get(++i);
      switch (arg) {
        case "--users" -> users = number(arg, value, 1, MAX_USERS);
        case "--tasks-per-user" -> tasks = number(arg, value, 0, maxTasksPerUser);
        case "--out" -> out = Path.of(value);
        case "--token-minutes" -> tokenMinutes = number(arg, value, 1, MAX_TOKEN_MINUTES);
        case "--prefix" -> {
          if (!value.matches("[a-z0-9][a-z0-9-]{0,39}")) {
            throw new UsageException(
                "--prefix must be 1-40 of a-z, 0-9 and '-' (got '" + value + "')");
          }
          prefix = value;
        }
        default -> throw new UsageException("unknown option '" + arg + "'");
      }
    }
    if (users == null || tasks == null) {
      throw new UsageException("--users and --tasks-per-user are required");
    }
    return new Options(users, tasks, out, prefix, tokenMinutes, allowProductionProfile);
  }

  private static int number(String name, String value, int min, int max) throws UsageException {
    try {
      int n = Integer.parseInt(value);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new UsageException(
        name + " must be a whole number from " + min + " to " + max + " (got '" + value + "')");
  }

  /**
   * Why seeding is refused under {@code environment}, or null when it may run. Seeded accounts
   * share one published password: in a staging or production profile they would be accounts anyone
   * can sign in to, so those profiles need {@link #ALLOW_PRODUCTION_PROFILE}, said on purpose, for
   * a private benchmark database.
   */
  public static String refusal(Environment environment, Options options) {
    if (!environment.isStrict() || options.allowProductionProfile()) {
      return null;
    }
    return "refusing to seed under the "
        + environment.id()
        + " profile: every seeded account has the published "
        + "password '"
        + PASSWORD
        + "'. Seed a development database, or, for a private benchmark database only, pass "
        + ALLOW_PRODUCTION_PROFILE;
  }

  /** Seeds and writes the CSV; blocks until done. The schema must be migrated already. */
  public static Result run(Vertx vertx, Pool pg, BulwarkConfig config, Options options)
      throws Exception {
    String passwordHash =
        new PasswordHashes(config.auth().passwordPepper(), config.hasher().rounds()).hash(PASSWORD);
    AccessTokens accessTokens =
        new AccessTokens(
            vertx,
            options.tokenMinutes() == null
                ? config.jwt()
                : config.jwt().withAccessTokenTtl(Duration.ofMinutes(options.tokenMinutes())));
    RefreshTokens refreshTokens = new RefreshTokens(config.jwt().secret());
    long refreshTtl = config.auth().refreshTokenTtl().toSeconds();
    int batch =
        Math.max(1, Math.min(1000, MAX_ROWS_PER_STATEMENT / Math.max(1, options.tasksPerUser())));
    if (options.out().toAbsolutePath().getParent() != null) {
      Files.createDirectories(options.out().toAbsolutePath().getParent());
    }
    int written = 0;
    long tasks = 0;
    try (BufferedWriter csv = Files.newBufferedWriter(options.out(), StandardCharsets.UTF_8)) {
      csv.write(CSV_HEADER);
      csv.newLine();
      for (int from = 0; from < options.users(); from += batch) {
        int n = Math.min(batch, options.users() - from);
        List<Account> accounts =
            insertBatch(pg, options, from, n, passwordHash, refreshTokens, refreshTtl);
        if (!accounts.isEmpty() && options.tasksPerUser() > 0) {
          UUID[] ids = accounts.stream().map(Account::userId).toArray(UUID[]::new);
          tasks +=
              await(pg.preparedQuery(INSERT_TASKS).execute(Tuple.of(ids, options.tasksPerUser())))
                  .rowCount();
        }
        long now = System.currentTimeMillis() / 1000;
        for (Account a : accounts) {
          String access = accessTokens.mint(a.userId(), a.sessionId(), now).token();
          csv.write(
              a.email()
                  + ","
                  + PASSWORD
                  + ","
                  + a.userId()
                  + ","
                  + a.sessionId()
                  + ","
                  + access
                  + ","
                  + a.refreshToken());
          csv.newLine();
        }
        written += accounts.size();
      }
    }
    await(pg.query(ANALYZE).execute());
    return new Result(written, tasks, options.out(), options.prefix());
  }

  private record Account(String email, UUID userId, UUID sessionId, String refreshToken) {}

  /**
   * One batch in one transaction: users (existing emails skipped), a session each, its first
   * refresh token.
   */
  private static List<Account> insertBatch(
      Pool pg,
      Options options,
      int from,
      int n,
      String passwordHash,
      RefreshTokens refreshTokens,
      long refreshTtl)
      throws Exception {
    UUID[] ids = new UUID[n];
    String[] emails = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = UUID.randomUUID();
      emails[i] =
          String.format(Locale.ROOT, "%s-%07d@bench.bulwark.test", options.prefix(), from + i);
    }
    return await(
        pg.withTransaction(
            conn ->
                conn.preparedQuery(INSERT_USERS)
                    .execute(Tuple.of(ids, emails, passwordHash))
                    .compose(
                        inserted -> {
                          Set<UUID> fresh = new HashSet<>(inserted.size() * 2);
                          inserted.forEach(row -> fresh.add(row.getUUID("id")));
                          List<Account> accounts = new ArrayList<>(fresh.size());
                          for (int i = 0; i < n; i++) {
                            if (fresh.contains(ids[i])) {
                              accounts.add(
                                  new Account(
                                      emails[i],
                                      ids[i],
                                      UUID.randomUUID(),
                                      refreshTokens.generate()));
                            }
                          }
                          UUID[] sessionIds =
                              accounts.stream().map(Account::sessionId).toArray(UUID[]::new);
                          UUID[] userIds =
                              accounts.stream().map(Account::userId).toArray(UUID[]::new);
                          String[] hashes =
                              accounts.stream()
                                  .map(
                                      a ->
                                          HexFormat.of()
                                              .formatHex(RefreshTokens.hash(a.refreshToken())))
                                  .toArray(String[]::new);
                          return conn.preparedQuery(INSERT_SESSIONS)
                              .execute(Tuple.of(sessionIds, userIds, refreshTtl))
                              .compose(
                                  v ->
                                      conn.preparedQuery(INSERT_TOKENS)
                                          .execute(Tuple.of(sessionIds, hashes, refreshTtl)))
                              .map(accounts);
                        })));
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /** For the summary line: how the written file starts, without its secrets. */
  public static String describe(Result r) {
    return "seed: "
        + r.users()
        + " users, "
        + r.tasks()
        + " tasks (email prefix "
        + r.prefix()
        + ", password "
        + PASSWORD
        + ") → "
        + r.out();
  }
}
