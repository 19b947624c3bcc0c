package dev.bulwark;

import dev.bulwark.auth.PasswordHasher;
import dev.bulwark.auth.Revocations;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.http.ClientAddress;
import dev.bulwark.ratelimit.RateLimitGate;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every HTTP verticle instance shares: the config, the pools and clients (all thread-safe), how client
 * addresses are told, the per-request gate with its process-wide Redis and fallback state (rate limits and the
 * callers' checks; present whether or not {@code rateLimit.enabled} is on), the revocation state, and the "draining"
 * flag that readiness reports during shutdown.
 */
public record Services(
    BulwarkConfig config,
    Pool pg,
    Redis redis,
    PasswordHasher hasher,
    ClientAddress clients,
    RateLimitGate rateLimit,
    Revocations revocations,
    boolean embeddedServices,
    String metricsRegistry,
    long startedAtMillis,
    AtomicBoolean draining) {
}
