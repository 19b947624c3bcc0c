package dev.bulwark.auth;

import dev.bulwark.config.AuthConfig;
import dev.bulwark.core.Failure;
import dev.bulwark.http.ClientAddress;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The brute-force brake on passwords, independent of any IP rate limit, built so that nobody can
 * lock someone else out. Failures are counted where they come from:
 *
 * <ul>
 *   <li>per account and client address (an IPv6 client by its /64): {@code lockout.threshold}
 *       failures within {@code lockout.window} lock that address out of that account;
 *   <li>per account, from every address together: {@code lockout.accountThreshold} (much higher)
 *       failures lock out every client that has not proved itself — the brake on guessing spread
 *       over many addresses;
 *   <li>per device, for a client presenting a valid device token for the account (see {@link
 *       DeviceTokens}): {@code lockout.threshold} failures lock that device token. Such a client is
 *       braked by nothing else, so the owner's devices keep signing in while strangers are locked
 *       out; a locked device token is ignored, and the client braked like any other.
 * </ul>
 *
 * Each lock lasts {@code baseDelay}, doubling with each further failure up to {@code maxDelay}. A
 * success clears the counter it was braked by (the account-wide one runs out with its window).
 * Keyed by a hash of the email, so unknown emails brake the same way; all keys of an account share
 * one hash tag (one slot on Redis Cluster). If Redis is unreachable the brake is skipped (the IP
 * rate limits still apply).
 */
public final class LoginThrottle {
  private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

  /** KEYS: the lock of each brake that applies. Returns the longest lock in ms (0 = not locked). */
  private static final String LONGEST_LOCK =
      """
      local longest = 0
      for i = 1, #KEYS do
        local ms = redis.call('PTTL', KEYS[i])
        if ms > longest then longest = ms end
      end
      return longest""";

  /**
   * KEYS: fails, lock of each brake. ARGV: windowMs, baseMs, maxMs, then each brake's threshold.
   * Returns {longest lock started in ms (0 = none), the 1-based index of the brake that set it}.
   */
  private static final String RECORD_FAILURE =
      """
      local window, base, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
      local longest, which = 0, 0
      for i = 1, #KEYS / 2 do
        local fails, lock = KEYS[2 * i - 1], KEYS[2 * i]
        local threshold = tonumber(ARGV[3 + i])
        local n = redis.call('INCR', fails)
        if n == 1 then redis.call('PEXPIRE', fails, window) end
        if n >= threshold then
          local delay = math.floor(math.min(base * (2 ^ math.min(n - threshold, 30)), max))
          redis.call('SET', lock, n, 'PX', delay)
          if redis.call('PTTL', fails) < delay then redis.call('PEXPIRE', fails, delay) end
          if delay > longest then longest, which = delay, i end
        end
      end
      return {longest, which}""";

  private final Redis redis;
  private final AuthConfig config;
  private final long timeoutMs;

  public LoginThrottle(Redis redis, AuthConfig config, long timeoutMs) {
    this.redis = redis;
    this.config = config;
    this.timeoutMs = timeoutMs;
  }

  /**
   * One attempt at an account's password: which email, from which client address, and the device it
   * proved (a device id from {@link DeviceTokens}, a session's id for a signed-in caller), or null.
   */
  public record Attempt(String email, String address, String device) {
    Attempt untrusted() {
      return new Attempt(email, address, null);
    }
  }

  /** A failure that started a lock: how long, and which brake (address, account or device). */
  public record Lock(long ms, String scope) {
    static final Lock NONE = new Lock(0, null);
  }

  /**
   * Fails with 429 {@code too_many_attempts} while the attempt is locked out; otherwise answers the
   * attempt as it is to be counted — without its device when that device is locked (then the client
   * is braked as any other).
   */
  public Future<Attempt> check(Attempt attempt) {
    if (attempt.device() == null) {
      return longestLock(untrustedLocks(attempt))
          .compose(
              ms -> ms > 0 ? Future.failedFuture(locked(ms)) : Future.succeededFuture(attempt));
    }
    return longestLock(List.of(key(attempt, "dev:" + attempt.device() + ":lock")))
        .compose(ms -> ms > 0 ? check(attempt.untrusted()) : Future.succeededFuture(attempt));
  }

  /**
   * Counts a failure against the brakes of the attempt; the lock it started, {@link Lock#NONE} when
   * none.
   */
  public Future<Lock> recordFailure(Attempt attempt) {
    List<String> scopes =
        attempt.device() == null
            ? List.of("ip:" + addressKey(attempt.address()) + ":", "")
            : List.of("dev:" + attempt.device() + ":");
    Request eval = Request.cmd(Command.EVAL).arg(RECORD_FAILURE).arg(scopes.size() * 2);
    for (String scope : scopes) {
      eval.arg(key(attempt, scope + "fails")).arg(key(attempt, scope + "lock"));
    }
    eval.arg(config.lockoutWindow().toMillis())
        .arg(config.lockoutBaseDelay().toMillis())
        .arg(config.lockoutMaxDelay().toMillis());
    if (attempt.device() == null) {
      eval.arg(config.lockoutThreshold()).arg(config.lockoutAccountThreshold());
    } else {
      eval.arg(config.lockoutThreshold());
    }
    return redis
        .send(eval)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(r -> lock(r, attempt))
        .otherwise(Lock.NONE);
  }

  /** A success clears the counter the attempt was braked by: its address's, or its device's. */
  public Future<Void> reset(Attempt attempt) {
    String scope =
        attempt.device() == null
            ? "ip:" + addressKey(attempt.address()) + ":"
            : "dev:" + attempt.device() + ":";
    return redis
        .send(
            Request.cmd(Command.DEL)
                .arg(key(attempt, scope + "fails"))
                .arg(key(attempt, scope + "lock")))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private List<String> untrustedLocks(Attempt attempt) {
    return List.of(
        key(attempt, "ip:" + addressKey(attempt.address()) + ":lock"), key(attempt, "lock"));
  }

  private Future<Long> longestLock(List<String> locks) {
    Request eval = Request.cmd(Command.EVAL).arg(LONGEST_LOCK).arg(locks.size());
    locks.forEach(eval::arg);
    return redis
        .send(eval)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(r -> r == null ? 0L : r.toLong())
        .otherwise(
            err -> {
              log.warn("login throttle unavailable: {}", err.toString());
              return 0L;
            });
  }

  private static Lock lock(Response r, Attempt attempt) {
    if (r == null || r.size() < 2 || r.get(0).toLong() == 0) {
      return Lock.NONE;
    }
    String scope =
        attempt.device() != null ? "device" : r.get(1).toInteger() == 1 ? "address" : "account";
    return new Lock(r.get(0).toLong(), scope);
  }

  static Failure locked(long ms) {
    return Failure.tooManyRequests(
        "too_many_attempts",
        "Too many failed sign-ins for this account; wait before trying again.",
        (ms + 999) / 1000);
  }

  private static String key(Attempt attempt, String suffix) {
    return "bw:{acct:" + digest(attempt.email()) + "}:" + suffix;
  }

  /** An IPv4 address as it is; an IPv6 address by its /64, which one subscriber holds whole. */
  static String addressKey(String ip) {
    byte[] a = ClientAddress.literal(ip);
    if (a == null) {
      return "unknown";
    }
    if (a.length == 4) {
      return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
    return HexFormat.of().formatHex(a, 0, 8) + "/64";
  }

  private static String digest(String email) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(email.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
