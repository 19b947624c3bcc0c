package dev.bulwark.ratelimit;

import dev.bulwark.auth.AuditLog;
import dev.bulwark.auth.Principal;
import dev.bulwark.auth.RequestInfo;
import dev.bulwark.auth.Revocations;
import dev.bulwark.config.RateLimitConfig;
import dev.bulwark.config.RateLimitConfig.FailMode;
import dev.bulwark.http.ApiException;
import dev.bulwark.http.ClientAddress;
import dev.bulwark.ops.Metrics;
import dev.bulwark.ratelimit.LocalWindows.Outcome;
import dev.bulwark.ratelimit.RateLimitRules.AppliedLimit;
import dev.bulwark.ratelimit.RateLimitRules.Selection;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-request gate (DESIGN §6): every rate limit that applies and the access token's revocation markers, decided
 * in one Redis round trip — one {@code EVALSHA} per principal ({@code {ip:..}}, {@code {u:..}}), sent as one
 * pipelined batch. One instance per process, shared by the HTTP verticles; while Redis cannot answer, {@code
 * rateLimit.failMode} decides, and Redis is tried again after {@code rateLimit.redisRetry}, by one request at a time.
 */
public final class RateLimitGate implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger(RateLimitGate.class);
  private static final Logger security = LoggerFactory.getLogger("bulwark.security");
  private static final int MAX_LOCAL_PRINCIPALS = 100_000;

  private final Redis redis;
  private final SqlClient audit;
  private final RateLimitRules rules;
  private final ClientAddress clients;
  private final FailMode failMode;
  private final long timeoutMs;
  private final long retryMs;
  private final LocalWindows local = new LocalWindows(MAX_LOCAL_PRINCIPALS);
  private final RedisState redisState;
  private final Map<String, Long> securityLoggedUntil = new ConcurrentHashMap<>();

  public RateLimitGate(Redis redis, SqlClient audit, RateLimitConfig config, ClientAddress clients,
                       long redisTimeoutMs) {
    this.redis = redis;
    this.audit = audit;
    this.rules = new RateLimitRules(config.rules());
    this.clients = clients;
    this.failMode = config.failMode();
    this.timeoutMs = redisTimeoutMs;
    this.retryMs = config.redisRetry().toMillis();
    this.redisState = new RedisState(config.failMode());
  }

  @Override
  public void handle(RoutingContext ctx) {
    Principal principal = Principal.orNull(ctx);
    Selection selection = rules.select(ctx.request().method(), ctx.request().path(), principal != null);
    if (selection.isEmpty() && principal == null) {
      ctx.next();
      return;
    }
    String ipTag = selection.byIp().isEmpty() ? null : "{ip:" + clients.clientKey(ctx.request()) + "}";
    long now = System.currentTimeMillis();
    if (!redisState.shouldTry(now)) {
      decideWithoutRedis(ctx, selection, ipTag, principal, now);
      return;
    }
    // One pipelined batch. (A Redis Cluster client would refuse a batch spanning two nodes: there, the same calls
    // go out with Future.all instead — each script call already touches one hash slot only.)
    ScriptCall call = ScriptCall.of(principal, ipTag, selection);
    redis.batch(call.requests(ScriptCall.EVALSHA)).timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(err -> isNoScript(err)
            ? redis.batch(call.requests(ScriptCall.EVAL)).timeout(timeoutMs, TimeUnit.MILLISECONDS)
            : Future.failedFuture(err))
        .onComplete(ar -> {
          if (ar.failed()) {
            redisState.failed(ar.cause(), System.currentTimeMillis() + retryMs);
            Metrics.count(Metrics.Event.REDIS_ERROR);
            decideWithoutRedis(ctx, selection, ipTag, principal, System.currentTimeMillis());
            return;
          }
          redisState.succeeded();
          decideFromRedis(ctx, call, ar.result(), principal);
        });
  }

  private void decideFromRedis(RoutingContext ctx, ScriptCall call, List<Response> replies, Principal principal) {
    Verdict verdict = new Verdict();
    for (int g = 0; g < call.groups().size(); g++) {
      ScriptCall.Group group = call.groups().get(g);
      Response reply = replies.get(g);
      boolean allowed = reply.get(0).toInteger() == 1;
      int at = 1;
      if (group.revocation() != null) {
        ApiException revoked = Revocations.verdict(principal, blankToNull(reply.get(1)), blankToNull(reply.get(2)),
            blankToNull(reply.get(3)));
        if (revoked != null) {
          ctx.fail(revoked);
          return;
        }
        at = 4;
      }
      for (AppliedLimit limit : group.limits()) {
        verdict.add(group.tag(), limit, allowed, reply.get(at).toInteger(), reply.get(at + 1).toLong());
        at += 2;
      }
    }
    finish(ctx, verdict, principal);
  }

  private void decideWithoutRedis(RoutingContext ctx, Selection selection, String ipTag, Principal principal,
                                  long now) {
    switch (failMode) {
      case OPEN -> ctx.next();
      case CLOSED -> ctx.fail(ApiException.unavailable("rate_limit_unavailable",
          "Request admission is temporarily unavailable; retry shortly.", Math.max(1, retryMs / 1000)));
      default -> {
        Metrics.count(Metrics.Event.RATE_LIMIT_FALLBACK);
        if (local.size() >= MAX_LOCAL_PRINCIPALS) {
          local.sweep(now, 2 * 86_400_000L);
        }
        Verdict verdict = new Verdict();
        decideLocally(verdict, ipTag, selection.byIp(), now);
        if (principal != null) {
          decideLocally(verdict, "{u:" + principal.userId() + "}", selection.byUser(), now);
        }
        finish(ctx, verdict, principal);
      }
    }
  }

  private void decideLocally(Verdict verdict, String tag, List<AppliedLimit> limits, long now) {
    if (limits.isEmpty()) {
      return;
    }
    Outcome[] outcomes = new Outcome[limits.size()];
    boolean allowed = local.decide(tag, limits, now, outcomes);
    for (int i = 0; i < limits.size(); i++) {
      verdict.add(tag, limits.get(i), allowed, outcomes[i].remaining(), outcomes[i].waitMs());
    }
  }

  private void finish(RoutingContext ctx, Verdict verdict, Principal principal) {
    if (verdict.isEmpty()) {
      ctx.next();
      return;
    }
    verdict.writeHeaders(ctx.response().headers());
    if (verdict.allowed()) {
      Metrics.count(Metrics.Event.RATE_LIMIT_ALLOWED);
      ctx.next();
      return;
    }
    Metrics.count(Metrics.Event.RATE_LIMIT_REJECTED);
    securityEvent(ctx, verdict, principal);
    ctx.fail(ApiException.tooManyRequests("rate_limited",
        "Too many requests; retry after " + verdict.retryAfterSeconds() + " s.", verdict.retryAfterSeconds())
        .withMember("policy", verdict.rejectedBy().policy()));
  }

  /** Logs and audits repeated rejections of one principal under one limit at most once per window. */
  private void securityEvent(RoutingContext ctx, Verdict verdict, Principal principal) {
    AppliedLimit limit = verdict.rejectedBy();
    String who = verdict.rejectedTag() + limit.keySuffix();
    long now = System.currentTimeMillis();
    Long until = securityLoggedUntil.get(who);
    if (until != null && until > now) {
      return;
    }
    securityLoggedUntil.put(who, now + limit.windowMs());
    if (securityLoggedUntil.size() > MAX_LOCAL_PRINCIPALS) {
      securityLoggedUntil.values().removeIf(t -> t <= now);
    }
    security.warn("rate limit reached: principal={} policy={} limit={} path={}", verdict.rejectedTag(),
        limit.policy(), limit.count(), ctx.request().path());
    boolean byUser = verdict.rejectedTag().startsWith("{u:");
    AuditLog.recordAsync(audit, new AuditLog.Event("rate_limited", byUser && principal != null ? principal.userId() : null,
        null, RequestInfo.of(ctx))
        .with("principal", verdict.rejectedTag()).with("policy", limit.policy()).with("limit", limit.count()));
  }

  private static boolean isNoScript(Throwable err) {
    return err.getMessage() != null && err.getMessage().contains("NOSCRIPT");
  }

  private static String blankToNull(Response r) {
    String s = r == null ? null : r.toString();
    return s == null || s.isEmpty() ? null : s;
  }

  /** Whether Redis is believed reachable; logs each change of state once. */
  private static final class RedisState {
    private final FailMode failMode;
    private volatile boolean down;
    private volatile long retryAtMs;
    private final AtomicBoolean probing = new AtomicBoolean();

    RedisState(FailMode failMode) {
      this.failMode = failMode;
    }

    /** Up: always. Down: only one request, once the retry time has come, probes Redis. */
    boolean shouldTry(long now) {
      return !down || (now >= retryAtMs && probing.compareAndSet(false, true));
    }

    synchronized void failed(Throwable err, long retryAt) {
      retryAtMs = retryAt;
      probing.set(false);
      if (!down) {
        down = true;
        log.warn("Redis unavailable for rate limiting and revocation checks ({}); failMode={} until it returns",
            err.toString(), failMode.name().toLowerCase(Locale.ROOT));
      }
    }

    synchronized void succeeded() {
      probing.set(false);
      if (down) {
        down = false;
        log.info("Redis reachable again; rate limiting and revocation checks are back on Redis");
      }
    }
  }

  /** Collects the outcome of every limit of a request and writes the headers of the tightest. */
  private static final class Verdict {
    private final List<AppliedLimit> limits = new ArrayList<>(4);
    private boolean allowed = true;
    private AppliedLimit tightest;
    private int tightestRemaining = Integer.MAX_VALUE;
    private long tightestWait;
    private AppliedLimit rejectedBy;
    private String rejectedTag;
    private long retryAfterMs;

    void add(String tag, AppliedLimit limit, boolean groupAllowed, int remaining, long waitMs) {
      limits.add(limit);
      if (!groupAllowed) {
        allowed = false;
        if (remaining == 0 && waitMs >= retryAfterMs) {
          retryAfterMs = waitMs;
          rejectedBy = limit;
          rejectedTag = tag;
        }
      }
      if (remaining < tightestRemaining || (remaining == tightestRemaining && waitMs > tightestWait)) {
        tightest = limit;
        tightestRemaining = remaining;
        tightestWait = waitMs;
      }
    }

    boolean isEmpty() {
      return limits.isEmpty();
    }

    boolean allowed() {
      return allowed;
    }

    AppliedLimit rejectedBy() {
      return rejectedBy != null ? rejectedBy : tightest;
    }

    String rejectedTag() {
      return rejectedTag != null ? rejectedTag : "?";
    }

    long retryAfterSeconds() {
      return Math.max(1, (retryAfterMs + 999) / 1000);
    }

    void writeHeaders(MultiMap headers) {
      AppliedLimit shown = allowed ? tightest : rejectedBy();
      int remaining = allowed ? tightestRemaining : 0;
      long resetSeconds = allowed ? Math.max(1, (tightestWait + 999) / 1000) : retryAfterSeconds();
      StringBuilder policy = new StringBuilder();
      for (AppliedLimit l : limits) {
        if (policy.length() > 0) {
          policy.append(", ");
        }
        policy.append(l.policyItem());
      }
      headers.set("RateLimit-Policy", policy.toString());
      headers.set("RateLimit", "\"" + shown.policy() + "\";r=" + remaining + ";t=" + resetSeconds);
      headers.set("X-RateLimit-Limit", shown.countArg());
      headers.set("X-RateLimit-Remaining", Integer.toString(remaining));
      headers.set("X-RateLimit-Reset", Long.toString(resetSeconds));
    }
  }

  /** The batch of one request: one script call per principal, each with only keys of that principal's hash tag. */
  private record ScriptCall(List<Group> groups) {
    static final boolean EVALSHA = true;
    static final boolean EVAL = false;

    record Group(String tag, List<String> revocation, List<AppliedLimit> limits) {
    }

    static ScriptCall of(Principal principal, String ipTag, Selection selection) {
      List<Group> groups = new ArrayList<>(2);
      if (ipTag != null) {
        groups.add(new Group(ipTag, null, selection.byIp()));
      }
      if (principal != null) {
        groups.add(new Group("{u:" + principal.userId() + "}", Revocations.keys(principal), selection.byUser()));
      }
      return new ScriptCall(groups);
    }

    List<Request> requests(boolean bySha) {
      List<Request> out = new ArrayList<>(groups.size());
      for (Group g : groups) {
        Request r = bySha ? Request.cmd(Command.EVALSHA).arg(SlidingWindowScript.SHA1)
            : Request.cmd(Command.EVAL).arg(SlidingWindowScript.TEXT);
        int revocationKeys = g.revocation() == null ? 0 : g.revocation().size();
        r.arg(revocationKeys + g.limits().size());
        if (g.revocation() != null) {
          g.revocation().forEach(r::arg);
        }
        for (AppliedLimit l : g.limits()) {
          r.arg("bw:" + g.tag() + l.keySuffix());
        }
        r.arg(revocationKeys);
        for (AppliedLimit l : g.limits()) {
          r.arg(l.countArg()).arg(l.windowArg());
        }
        out.add(r);
      }
      return out;
    }
  }
}
