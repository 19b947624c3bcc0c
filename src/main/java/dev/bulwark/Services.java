package dev.bulwark;

import dev.bulwark.auth.PasswordHasher;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.http.ClientAddress;
import dev.bulwark.ratelimit.RateLimitGate;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every HTTP verticle instance shares: the config, the pools and clients (all thread-safe), how client
 * addresses are told, the rate-limit gate with its process-wide fallback state ({@code null} when
 * {@code rateLimit.enabled} is off), and the "draining" flag that readiness reports during shutdown.
 */
public record Services(
    BulwarkConfig config,
    Pool pg,
    Redis redis,
    PasswordHasher hasher,
    ClientAddress clients,
    RateLimitGate rateLimit,
    boolean embeddedServices,
    String metricsRegistry,
    long startedAtMillis,
    AtomicBoolean draining) {
}
