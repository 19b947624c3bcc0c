package dev.bulwark;

import dev.bulwark.auth.PasswordHasher;
import dev.bulwark.config.BulwarkConfig;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every HTTP verticle instance shares: the config, the pools and clients (all thread-safe), and the
 * process-wide "draining" flag that readiness reports during shutdown.
 */
public record Services(
    BulwarkConfig config,
    Pool pg,
    Redis redis,
    PasswordHasher hasher,
    boolean embeddedServices,
    String metricsRegistry,
    long startedAtMillis,
    AtomicBoolean draining) {
}
