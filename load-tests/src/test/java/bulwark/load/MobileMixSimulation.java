package bulwark.load;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Mobile app sessions, open model: {@code users} new app sessions per second (each its own keep-alive connection).
 * A session:
 * <ol>
 *   <li>logs in with email + password ({@code loginPct} %, default 10 — bcrypt-bound, so kept under capacity) or
 *       starts from its pre-issued access token (the rest);</li>
 *   <li>lists the first page of tasks (20), and pages once more ({@code pagePct} %, default 30) when there is a
 *       next page;</li>
 *   <li>then {@code iterations} (default 6) actions with {@code thinkMinMs}..{@code thinkMaxMs} (1-3 s) think time,
 *       each drawn from: list {@code listPct} (40), delta sync with {@code updated_since} {@code syncPct} (30),
 *       create with an Idempotency-Key {@code createPct} (15), get + PATCH with {@code If-Match} from the ETag
 *       {@code patchPct} (15; 412 counts as a correct answer: another session of the same account won the race);</li>
 *   <li>sessions that logged in refresh their token pair ({@code refreshPct} %, default 50) and then log out
 *       ({@code logoutPct} %, default 20). Sessions on pre-issued tokens do neither: those tokens are shared by
 *       every virtual user fed the same account, and rotating or revoking them would (rightly) trip reuse detection.</li>
 * </ol>
 * With the defaults a session sends about 9 requests over ~12 s: 20 sessions/s ≈ 180 req/s from ~250 live sessions.
 *
 * <p>-Dusers=20 -Dduration=60 -Dramp=10 -Dp95Ms=50 -Dp99Ms=100 -DmaxFailedPct=0 (+ the percentages above)
 */
public class MobileMixSimulation extends Simulation {
  private final int sessionsPerSec = Params.integer("users", 20);
  private final Duration duration = Params.seconds("duration", 60);
  private final Duration ramp = Params.seconds("ramp", 10);
  private final int loginPct = Params.integer("loginPct", 10);
  private final int pagePct = Params.integer("pagePct", 30);
  private final int refreshPct = Params.integer("refreshPct", 50);
  private final int logoutPct = Params.integer("logoutPct", 20);
  private final int iterations = Params.integer("iterations", 6);
  private final Duration thinkMin = Duration.ofMillis(Params.integer("thinkMinMs", 1000));
  private final Duration thinkMax = Duration.ofMillis(Params.integer("thinkMaxMs", 3000));

  private static boolean chance(int pct) {
    return ThreadLocalRandom.current().nextInt(100) < pct;
  }

  private static final String BEARER = "Bearer #{access_token}";

  private final ChainBuilder login = exec(
      http("login").post("/api/v1/auth/login")
          .body(StringBody("{\"email\":\"#{email}\",\"password\":\"#{password}\",\"device_name\":\"load-test\"}"))
          .check(status().is(200),
              jsonPath("$.access_token").saveAs("access_token"),
              jsonPath("$.refresh_token").saveAs("refresh_token")))
      .exec(session -> session.set("own_session", true));

  private final ChainBuilder firstPages = exec(
      http("list tasks").get("/api/v1/tasks").queryParam("limit", "20").header("Authorization", BEARER)
          .check(status().is(200),
              jsonPath("$.next_cursor").ofString().optional().saveAs("next_cursor"),
              jsonPath("$.items[*].id").findRandom().optional().saveAs("task_id")))
      .exec(session -> session.set("synced_at", Instant.now().minus(5, ChronoUnit.MINUTES).toString()))
      .doIf(session -> session.contains("next_cursor") && chance(pagePct)).then(
          exec(http("next page").get("/api/v1/tasks").queryParam("limit", "20")
              .queryParam("cursor", "#{next_cursor}").header("Authorization", BEARER)
              .check(status().is(200))));

  private final ChainBuilder list = exec(http("list tasks").get("/api/v1/tasks").header("Authorization", BEARER)
      .check(status().is(200)));

  private final ChainBuilder deltaSync = exec(session -> session.set("sync_now", Instant.now().toString()))
      .exec(http("delta sync").get("/api/v1/tasks").queryParam("updated_since", "#{synced_at}")
          .queryParam("limit", "100").header("Authorization", BEARER)
          .check(status().is(200), jsonPath("$.items").exists()))
      .exec(session -> session.set("synced_at", session.getString("sync_now")));

  private final ChainBuilder create = exec(session -> session.set("idem_key", UUID.randomUUID().toString()))
      .exec(http("create task").post("/api/v1/tasks").header("Authorization", BEARER)
          .header("Idempotency-Key", "#{idem_key}")
          .body(StringBody("{\"title\":\"Load test #{idem_key}\",\"priority\":\"high\",\"notes\":\"from the mobile mix\"}"))
          .check(status().is(201), jsonPath("$.id").saveAs("task_id")));

  private final ChainBuilder patch = doIf(session -> session.contains("task_id")).then(
      exec(session -> session.remove("etag"))
          .exec(http("get task").get("/api/v1/tasks/#{task_id}").header("Authorization", BEARER)
              .check(status().is(200), header("ETag").saveAs("etag")))
          // a failed read leaves no ETag to send: the app would not patch blind either
          .doIf(session -> session.contains("etag")).then(exec(http("patch task").patch("/api/v1/tasks/#{task_id}").header("Authorization", BEARER)
              .header("If-Match", "#{etag}").header("Content-Type", "application/merge-patch+json")
              .body(StringBody("{\"status\":\"done\"}"))
              .check(status().in(200, 412)))));

  private final ChainBuilder refresh = exec(http("refresh").post("/api/v1/auth/refresh")
      .body(StringBody("{\"refresh_token\":\"#{refresh_token}\"}"))
      .check(status().is(200),
          jsonPath("$.access_token").saveAs("access_token"),
          jsonPath("$.refresh_token").saveAs("refresh_token")));

  private final ChainBuilder logout = exec(http("logout").post("/api/v1/auth/logout").header("Authorization", BEARER)
      .check(status().in(200, 204)));

  private final ScenarioBuilder sessions = scenario("mobile sessions")
      .feed(Api.accounts())
      .exec(session -> session.set("own_session", false))
      .doIf(session -> chance(loginPct)).then(login)
      .exec(firstPages)
      .repeat(iterations).on(
          io.gatling.javaapi.core.CoreDsl.pause(thinkMin, thinkMax)
              .exec(randomSwitch().on(
                  percent(Params.decimal("listPct", 40)).then(list),
                  percent(Params.decimal("syncPct", 30)).then(deltaSync),
                  percent(Params.decimal("createPct", 15)).then(create),
                  percent(Params.decimal("patchPct", 15)).then(patch))))
      .doIf(session -> ownSession(session) && chance(refreshPct)).then(refresh)
      .doIf(session -> ownSession(session) && chance(logoutPct)).then(logout);

  private static boolean ownSession(Session session) {
    return session.getBoolean("own_session");
  }

  {
    Params.announce("MobileMix", sessionsPerSec + " sessions/s for " + duration.toSeconds() + " s, login " + loginPct
        + " %, " + iterations + " actions each");
    setUp(sessions.injectOpen(
        rampUsersPerSec(1).to(sessionsPerSec).during(ramp.isZero() ? Duration.ofSeconds(1) : ramp),
        constantUsersPerSec(sessionsPerSec).during(duration)))
        .protocols(Api.protocol())
        .assertions(
            global().responseTime().percentile(95.0).lt(Params.integer("p95Ms", 50)),
            global().responseTime().percentile(99.0).lt(Params.integer("p99Ms", 500)),
            global().failedRequests().percent().lte(Params.decimal("maxFailedPct", 0.0)));
  }
}
