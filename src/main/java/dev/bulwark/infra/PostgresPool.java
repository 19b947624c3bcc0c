package dev.bulwark.infra;

import dev.bulwark.config.DatabaseConfig;
import dev.bulwark.config.DatabaseUrl;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;

/**
 * The one PostgreSQL pool every verticle shares: bounded, with a bounded wait queue, pipelined,
 * caching statements, over TLS as the URL's {@code sslmode} asks.
 */
public final class PostgresPool {
  private PostgresPool() {}

  public static Pool create(Vertx vertx, DatabaseConfig config, int eventLoops) {
    PgConnectOptions connect = connectOptions(config);
    PoolOptions pool =
        new PoolOptions()
            .setName("bulwark-pg")
            .setMaxSize(config.poolSize())
            .setMaxWaitQueueSize(config.maxWaitQueue())
            .setIdleTimeout((int) config.idleTimeout().toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
            .setMaxLifetime((int) config.maxLifetime().toMillis())
            .setMaxLifetimeUnit(TimeUnit.MILLISECONDS)
            .setConnectionTimeout((int) config.connectTimeout().toMillis())
            .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
            .setPoolCleanerPeriod(1000)
            .setEventLoopSize(eventLoops);
    return PgBuilder.pool().with(pool).connectingTo(connect).using(vertx).build();
  }

  /**
   * Where and how to connect, TLS included (libpq's {@code sslmode} semantics, see {@link
   * DatabaseUrl}).
   */
  public static PgConnectOptions connectOptions(DatabaseConfig config) {
    DatabaseUrl url = config.url();
    PgConnectOptions connect =
        new PgConnectOptions()
            .setHost(url.host())
            .setPort(url.port())
            .setDatabase(url.database())
            .setUser(url.user())
            .setSslMode(SslMode.of(url.sslMode()))
            .setPipeliningLimit(config.pipeliningLimit())
            .setCachePreparedStatements(config.preparedStatementCacheSize() > 0)
            .setPreparedStatementCacheMaxSize(Math.max(1, config.preparedStatementCacheSize()));
    if (url.password() != null) {
      connect.setPassword(url.password());
    }
    if (!url.sslMode().equals("disable")) {
      connect.setSslOptions(tls(url));
    }
    return connect;
  }

  /**
   * verify-*: the CA file or the JVM's CAs, and for verify-full the host name; below that,
   * encryption only.
   */
  private static ClientSSLOptions tls(DatabaseUrl url) {
    ClientSSLOptions tls =
        new ClientSSLOptions()
            .setHostnameVerificationAlgorithm(url.sslMode().equals("verify-full") ? "HTTPS" : "");
    if (!url.verifiesServer()) {
      return tls.setTrustAll(true);
    }
    return tls.setTrustOptions(
        url.sslRootCert() != null
            ? new PemTrustOptions().addCertPath(url.sslRootCert())
            : new SystemTrust());
  }
}
