package dev.bulwark.ratelimit;

import dev.bulwark.config.RateLimitConfig;
import dev.bulwark.config.RateLimitConfig.FailMode;
import dev.bulwark.core.Failure;
import dev.bulwark.http.ClientAddress;
import dev.bulwark.infra.Metrics;
import dev.bulwark.ratelimit.LocalWindows.Outcome;
import dev.bulwark.ratelimit.RateLimitRules.AppliedLimit;
import dev.bulwark.ratelimit.RateLimitRules.Phase;
import dev.bulwark.ratelimit.RateLimitRules.Selection;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-request gate: every rate limit that applies and the caller's own checks (an access
 * token's revocation markers), decided in one Redis round trip — one {@code EVALSHA} carrying a
 * group per principal ({@code {ip:..}}, {@code {u:..}}, {@code {s:..}}); on Redis Cluster one call
 * per principal, sent together. A feature takes part through a {@link CallerSource}: it recognises
 * the caller, and the gate counts the request against the caller's address before it answers a bad
 * credential, so forged tokens are limited like anything else. One instance per process, shared by
 * the HTTP verticles, whether or not rate limiting is on (without rules it still carries the
 * callers' checks). While Redis cannot answer, {@code rateLimit.failMode} decides the limits, each
 * caller's {@link Caller#verdictWithoutRedis} its checks, and Redis is tried again after {@code
 * rateLimit.redisRetry}, by one request at a time.
 */
public final class RateLimitGate {
  private static final Logger log = LoggerFactory.getLogger(RateLimitGate.class);
  private static final Logger security = LoggerFactory.getLogger("bulwark.security");
  static final int MAX_LOCAL_PRINCIPALS = 100_000;

  private final RateLimitRules rules;
  private final ClientAddress clients;
  private final FailMode failMode;
  private final boolean clustered;
  private final long retryMs;
  private final RefusalLog refusals;
  private final LocalWindows local = new LocalWindows(MAX_LOCAL_PRINCIPALS);
  private final RedisState redisState;
  private final Map<String, Long> securityLoggedUntil = new ConcurrentHashMap<>();

  /**
   * With {@code rateLimit.enabled} off there are no rules, and nothing for {@code failMode} to
   * decide.
   */
  public RateLimitGate(
      RateLimitConfig config, ClientAddress clients, boolean clustered, RefusalLog refusals) {
    this.clustered = clustered;
    this.rules = new RateLimitRules(config.enabled() ? config.rules() : List.of());
    this.clients = clients;
    this.failMode = config.enabled() ? config.failMode() : FailMode.OPEN;
    this.retryMs = config.redisRetry().toMillis();
    this.refusals = refusals;
    this.redisState = new RedisState(failMode);
  }

  /**
   * The gate of the routes whose callers {@code source} recognises, sending its script calls
   * through {@code redis}: the verticle's own client, so they never leave its event loop, which
   * bounds every command by the Redis command timeout itself (a {@code MultiplexedRedis}). What
   * Redis being down means (the fallback windows, the retry schedule) is the process's, shared.
   */
  public Handler<RoutingContext> handler(CallerSource source, Redis redis) {
    return ctx -> admit(ctx, source, redis);
  }

  private void admit(RoutingContext ctx, CallerSource source, Redis redis) {
    Admission a = new Admission(ctx, redis);
    Future<Caller> admitted;
    if (source.needsIo()) {
      admitted =
          check(a, Phase.ADDRESS, null, null)
              .compose(v -> source.identify(ctx))
              .compose(caller -> check(a, Phase.CALLER, caller, null).map(caller));
    } else {
      admitted =
          source
              .identify(ctx)
              .transform(
                  ar ->
                      ar.succeeded()
                          ? check(a, Phase.ALL, ar.result(), null).map(ar.result())
                          : check(a, Phase.ALL, null, ar.cause()).map((Caller) null));
    }
    admitted.onComplete(
        ar -> {
          a.verdict.writeHeaders(ctx.response().headers());
          if (ar.failed()) {
            ctx.fail(ar.cause());
            return;
          }
          if (!a.verdict.isEmpty()) {
            Metrics.count(Metrics.Event.RATE_LIMIT_ALLOWED);
          }
          if (ar.result() != null) {
            ar.result().admit(ctx);
          }
          ctx.next();
        });
  }

  /**
   * One round trip (or, without Redis, its fallback) for the limits of {@code phase} and the
   * caller's checks, judged in this order: the address's limits, then the credential ({@code
   * credentialFailure}), then the caller's checks, then the caller's own limits.
   */
  private Future<Void> check(Admission a, Phase phase, Caller caller, Throwable credentialFailure) {
    Selection selection =
        rules.select(
            a.method, a.path, phase, caller != null, caller != null && caller.sessionId() != null);
    ScriptCalls calls =
        ScriptCalls.of(selection.byIp().isEmpty() ? null : a.ipTag(), selection, caller);
    if (calls.isEmpty()) {
      return credentialFailure != null
          ? Future.failedFuture(credentialFailure)
          : Future.succeededFuture();
    }
    long now = System.currentTimeMillis();
    if (!redisState.shouldTry(now)) {
      return decideWithoutRedis(a, calls, caller, credentialFailure, now);
    }
    return send(a.redis, calls)
        .transform(
            ar -> {
              if (ar.failed()) {
                redisState.failed(ar.cause(), System.currentTimeMillis() + retryMs);
                Metrics.count(Metrics.Event.REDIS_ERROR);
                return decideWithoutRedis(
                    a, calls, caller, credentialFailure, System.currentTimeMillis());
              }
              redisState.succeeded();
              return decideFromRedis(
                  a, calls, calls.groupReplies(ar.result()), caller, credentialFailure);
            });
  }

  /**
   * Standalone and Sentinel: one command for every principal. Redis Cluster, whose scripts may
   * touch one slot only: one call per principal, all sent at once (each to its slot's node, in
   * parallel) and joined; any failure is Redis's failure for the whole check.
   */
  private Future<List<Response>> send(Redis redis, ScriptCalls calls) {
    if (!clustered || calls.groups.size() == 1) {
      return script(redis, calls, -1).map(List::of);
    }
    List<Future<Response>> replies = new ArrayList<>(calls.groups.size());
    for (int g = 0; g < calls.groups.size(); g++) {
      replies.add(script(redis, calls, g));
    }
    return Future.all(replies).map(CompositeFuture::list);
  }

  /**
   * The script call of group {@code g} (-1: of every group) by its SHA-1, or by its text where that
   * node does not know it yet (the text is only encoded then).
   */
  private Future<Response> script(Redis redis, ScriptCalls calls, int g) {
    return redis
        .send(calls.request(g, ScriptCalls.EVALSHA))
        .recover(
            err ->
                isNoScript(err)
                    ? redis.send(calls.request(g, ScriptCalls.EVAL))
                    : Future.failedFuture(err));
  }

  private Future<Void> decideFromRedis(
      Admission a,
      ScriptCalls calls,
      List<Response> replies,
      Caller caller,
      Throwable credentialFailure) {
    List<String> values = List.of();
    for (int g = 0; g < calls.groups.size(); g++) {
      ScriptCalls.Group group = calls.groups.get(g);
      Response reply = replies.get(g);
      boolean allowed = reply.get(0).toInteger() == 1;
      int at = 1;
      if (!group.checkKeys().isEmpty()) {
        String[] read = new String[group.checkKeys().size()];
        for (int i = 0; i < read.length; i++) {
          read[i] = blankToNull(reply.get(at++));
        }
        values = Arrays.asList(read);
      }
      for (AppliedLimit limit : group.limits()) {
        a.verdict.add(group, limit, allowed, reply.get(at).toInteger(), reply.get(at + 1).toLong());
        at += 2;
      }
    }
    List<String> checked = values;
    return judge(a, caller, credentialFailure, () -> caller.verdict(checked));
  }

  private Future<Void> decideWithoutRedis(
      Admission a, ScriptCalls calls, Caller caller, Throwable credentialFailure, long now) {
    if (!calls.hasLimits()) {
      // nothing to count: only the caller's checks needed Redis
      return judge(a, caller, credentialFailure, caller::verdictWithoutRedis);
    }
    switch (failMode) {
      case OPEN -> {}
      case CLOSED -> {
        return Future.failedFuture(
            Failure.unavailable(
                "rate_limit_unavailable",
                "Request admission is temporarily unavailable; retry shortly.",
                Math.max(1, retryMs / 1000)));
      }
      default -> {
        Metrics.count(Metrics.Event.RATE_LIMIT_FALLBACK);
        for (ScriptCalls.Group group : calls.groups) {
          decideLocally(a, group, now);
        }
      }
    }
    return judge(a, caller, credentialFailure, caller == null ? null : caller::verdictWithoutRedis);
  }

  private void decideLocally(Admission a, ScriptCalls.Group group, long now) {
    if (group.limits().isEmpty()) {
      return;
    }
    Outcome[] outcomes = new Outcome[group.limits().size()];
    boolean allowed = local.decide(group.tag(), group.limits(), now, outcomes);
    for (int i = 0; i < group.limits().size(); i++) {
      a.verdict.add(
          group, group.limits().get(i), allowed, outcomes[i].remaining(), outcomes[i].waitMs());
    }
  }

  /**
   * The order every outcome is judged in: address, credential, the caller's checks, the caller's
   * limits.
   */
  private Future<Void> judge(
      Admission a,
      Caller caller,
      Throwable credentialFailure,
      Supplier<Future<Void>> callerVerdict) {
    if (!a.verdict.allowedFor(false)) {
      return refuse(a);
    }
    if (credentialFailure != null) {
      return Future.failedFuture(credentialFailure);
    }
    Future<Void> checked =
        caller == null || callerVerdict == null ? Future.succeededFuture() : callerVerdict.get();
    return checked.compose(v -> a.verdict.allowedFor(true) ? Future.succeededFuture() : refuse(a));
  }

  private Future<Void> refuse(Admission a) {
    Verdict verdict = a.verdict;
    Metrics.count(Metrics.Event.RATE_LIMIT_REJECTED);
    Metrics.rateLimited(verdict.rejectedBy().policy());
    securityEvent(a.ctx, verdict);
    return Future.failedFuture(
        Failure.tooManyRequests(
                "rate_limited",
                "Too many requests; retry after " + verdict.retryAfterSeconds() + " s.",
                verdict.retryAfterSeconds())
            .withMember("policy", verdict.rejectedBy().policy()));
  }

  /**
   * Logs and audits repeated rejections of one principal under one limit at most once per window.
   */
  private void securityEvent(RoutingContext ctx, Verdict verdict) {
    AppliedLimit limit = verdict.rejectedBy();
    String tag = verdict.rejectedGroup() == null ? "?" : verdict.rejectedGroup().tag();
    String who = tag + limit.keySuffix();
    long now = System.currentTimeMillis();
    Long until = securityLoggedUntil.get(who);
    if (until != null && until > now) {
      return;
    }
    if (securityLoggedUntil.size() >= MAX_LOCAL_PRINCIPALS) {
      securityLoggedUntil.values().removeIf(t -> t <= now);
      if (securityLoggedUntil.size() >= MAX_LOCAL_PRINCIPALS) {
        // a flood of distinct principals: forget who was logged rather than grow without bound
        securityLoggedUntil.clear();
      }
    }
    securityLoggedUntil.put(who, now + limit.windowMs());
    security.warn(
        "rate limit reached: principal={} policy={} limit={} path={}",
        tag,
        limit.policy(),
        limit.count(),
        ctx.request().path());
    String userId = verdict.rejectedGroup() == null ? null : verdict.rejectedGroup().userId();
    refusals.refused(ctx, new RefusalLog.Refusal(tag, userId, limit.policy(), limit.count()));
  }

  private static boolean isNoScript(Throwable err) {
    return err.getMessage() != null && err.getMessage().contains("NOSCRIPT");
  }

  private static String blankToNull(Response r) {
    String s = r == null ? null : r.toString();
    return s == null || s.isEmpty() ? null : s;
  }

  /** The request being admitted, across its one or two checks. */
  private final class Admission {
    final RoutingContext ctx;
    final HttpMethod method;
    final String path;
    final Redis redis;
    final Verdict verdict = new Verdict();
    private String ipTag;

    Admission(RoutingContext ctx, Redis redis) {
      this.ctx = ctx;
      this.redis = redis;
      // HEAD does a GET's work without the body: it meets the GET's rules, no rule of its own
      HttpMethod requested = ctx.request().method();
      this.method = requested == HttpMethod.HEAD ? HttpMethod.GET : requested;
      // the path the router matched: rules see a request under the name its route does
      this.path = ctx.normalizedPath();
    }

    String ipTag() {
      if (ipTag == null) {
        ipTag = PrincipalKeys.ipTag(clients.clientKey(ctx.request()));
      }
      return ipTag;
    }
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
        log.warn(
            "Redis unavailable for rate limiting and revocation checks ({}); failMode={} for limits and the "
                + "database for revocation until it returns",
            err.toString(),
            failMode.name().toLowerCase(Locale.ROOT));
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
}
