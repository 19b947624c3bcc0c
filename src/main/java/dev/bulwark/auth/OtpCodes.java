package dev.bulwark.auth;

import dev.bulwark.config.PhoneConfig;
import dev.bulwark.core.Failure;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One-time SMS codes in Redis: 6 digits from {@link SecureRandom}, stored only as an HMAC-SHA-256
 * under a key derived from the password pepper (a leaked Redis cannot be brute-forced offline), one
 * live code per number and purpose. Issuing checks the gap between SMS to the number and its daily
 * cap in the same script; verifying compares and counts in one script, so concurrent guesses cannot
 * exceed {@code auth.otp.maxAttempts}, and a code that matched is gone (no replay). All keys of a
 * number share a hash tag; the global hourly SMS budget is a key of its own.
 */
public final class OtpCodes {
  static final String SIGN_IN = "signin";

  /**
   * KEYS: code, gap, day. ARGV: hmac, ttlMs, gapMs, dailyCap, dayMs. Returns {1, 0} when issued,
   * {-1, ms} while the gap runs, {-2, ms} when the daily cap is reached.
   */
  private static final String ISSUE =
      """
      local gap = redis.call('PTTL', KEYS[2])
      if gap > 0 then return {-1, gap} end
      local day = tonumber(redis.call('GET', KEYS[3]) or '0')
      if day >= tonumber(ARGV[4]) then return {-2, redis.call('PTTL', KEYS[3])} end
      redis.call('DEL', KEYS[1])
      redis.call('HSET', KEYS[1], 'h', ARGV[1], 'a', 0)
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      redis.call('SET', KEYS[2], 1, 'PX', ARGV[3])
      if redis.call('INCR', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[5]) end
      return {1, 0}""";

  /**
   * KEYS: code. ARGV: hmac, maxAttempts. Returns 1 (matched; the code is gone), 0 (no live code, or
   * a wrong guess, counted), -1 (the attempts are spent; not counted).
   */
  private static final String VERIFY =
      """
      local h = redis.call('HGET', KEYS[1], 'h')
      if not h then return 0 end
      local a = tonumber(redis.call('HGET', KEYS[1], 'a'))
      if a >= tonumber(ARGV[2]) then return -1 end
      redis.call('HSET', KEYS[1], 'a', a + 1)
      if h == ARGV[1] then
        redis.call('DEL', KEYS[1])
        return 1
      end
      return 0""";

  /** KEYS: budget. ARGV: windowMs. Counts one SMS; returns the count in this window. */
  private static final String SPEND =
      """
      local n = redis.call('INCR', KEYS[1])
      if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
      return n""";

  static final String BUDGET_KEY = "bw:sms:budget";
  private static final long HOUR_MS = 3_600_000L;
  private static final long DAY_MS = 86_400_000L;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Redis redis;
  private final PhoneConfig config;
  private final byte[] key;
  private final long timeoutMs;

  public OtpCodes(Redis redis, PhoneConfig config, String pepper, long timeoutMs) {
    this.redis = redis;
    this.config = config;
    this.key = hmac(pepper.getBytes(StandardCharsets.UTF_8), "bulwark one-time codes v1");
    this.timeoutMs = timeoutMs;
  }

  /** A fresh code, to be sent; only its HMAC is stored (by {@link #issue}). */
  static String generate() {
    return String.format("%06d", RANDOM.nextInt(1_000_000));
  }

  static boolean looksValid(String code) {
    return code != null && code.length() == 6 && code.chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /** The code key of a number and purpose (tests look at its attempt count). */
  static String codeKey(String e164, String purpose) {
    return "bw:{ph:" + digest(e164) + "}:code:" + purpose;
  }

  /**
   * Fails 503 {@code sms_budget_exhausted} when the hourly budget is spent, 429 while the number's
   * gap runs or its daily cap is reached; otherwise stores the code's HMAC and counts the SMS.
   */
  Future<Void> issue(String e164, String purpose, String code) {
    return redis
        .send(Request.cmd(Command.GET).arg(BUDGET_KEY))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(OtpCodes::unavailable)
        .compose(
            spent -> {
              if (spent != null && spent.toLong() >= config.hourlyBudget()) {
                dev.bulwark.outbox.OutboxMetrics.smsBudgetExhausted();
                return Future.failedFuture(
                    Failure.unavailable(
                        "sms_budget_exhausted",
                        "Text messages are paused for now; try again later.",
                        600));
              }
              String prefix = "bw:{ph:" + digest(e164) + "}:";
              return redis
                  .send(
                      Request.cmd(Command.EVAL)
                          .arg(ISSUE)
                          .arg(3)
                          .arg(codeKey(e164, purpose))
                          .arg(prefix + "gap")
                          .arg(prefix + "day")
                          .arg(mac(e164, purpose, code))
                          .arg(config.codeTtl().toMillis())
                          .arg(config.resendAfter().toMillis())
                          .arg(config.dailyCap())
                          .arg(DAY_MS))
                  .timeout(timeoutMs, TimeUnit.MILLISECONDS)
                  .recover(OtpCodes::unavailable)
                  .compose(OtpCodes::issued);
            })
        .compose(
            v ->
                redis
                    .send(Request.cmd(Command.EVAL).arg(SPEND).arg(1).arg(BUDGET_KEY).arg(HOUR_MS))
                    .timeout(timeoutMs, TimeUnit.MILLISECONDS)
                    .<Void>mapEmpty()
                    .otherwiseEmpty());
  }

  private static Future<Void> issued(Response r) {
    long outcome = r.get(0).toLong();
    if (outcome == 1) {
      return Future.succeededFuture();
    }
    long seconds = Math.max(1, (r.get(1).toLong() + 999) / 1000);
    return Future.failedFuture(
        Failure.tooManyRequests(
            "too_many_requests",
            outcome == -1
                ? "A code was just sent to this number; wait before asking for another."
                : "Too many codes were sent to this number today; try again later.",
            seconds));
  }

  /** Whether {@code code} is the live code of the number and purpose (used up if so). */
  Future<Boolean> verify(String e164, String purpose, String code) {
    return redis
        .send(
            Request.cmd(Command.EVAL)
                .arg(VERIFY)
                .arg(1)
                .arg(codeKey(e164, purpose))
                .arg(mac(e164, purpose, code))
                .arg(config.maxAttempts()))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(OtpCodes::unavailable)
        .map(r -> r.toLong() == 1);
  }

  private static <T> Future<T> unavailable(Throwable err) {
    return Future.failedFuture(
        Failure.unavailable(
            "codes_unavailable", "One-time codes are unavailable right now; try again.", 5));
  }

  private String mac(String e164, String purpose, String code) {
    return HexFormat.of().formatHex(hmac(key, e164 + "|" + purpose + "|" + code));
  }

  private static byte[] hmac(byte[] key, String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  static String digest(String value) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
