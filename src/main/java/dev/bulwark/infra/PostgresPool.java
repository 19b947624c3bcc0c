package dev.bulwark.infra;

import dev.bulwark.config.DatabaseConfig;
import dev.bulwark.config.DatabaseUrl;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.ClientBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL pools: bounded, with a bounded wait queue, pipelined, caching statements, over TLS as
 * the URL's {@code sslmode} asks. Each HTTP verticle creates its own inside its {@code start()}, so
 * its connections live on its event loop and a query never hops to another thread (see
 * docs/ARCHITECTURE.md, "Hot-path rules"); the process keeps a small one for start-up and
 * background jobs.
 */
public final class PostgresPool {
  private PostgresPool() {}

  /** A pool of {@code database.poolSize} connections (commands that run outside the server). */
  public static Pool create(Vertx vertx, DatabaseConfig config) {
    return create(vertx, config, "bulwark-pg", config.poolSize(), config.maxWaitQueue());
  }

  /**
   * A pool of at most {@code maxSize} connections and {@code maxWaitQueue} waiting requests. Its
   * connections are made on the event loop of the context that asks for them: created inside a
   * verticle, that verticle's loop.
   */
  public static Pool create(
      Vertx vertx, DatabaseConfig config, String name, int maxSize, int maxWaitQueue) {
    return build(PgBuilder.pool(), vertx, config, name, maxSize, maxWaitQueue);
  }

  /**
   * A pipelined client of at most {@code maxSize} connections for single statements: unlike the
   * pool, which lends a connection to one query at a time, it sends a query on a connection that
   * already has queries in flight (up to {@code database.pipeliningLimit}), so a burst of reads
   * costs PostgreSQL one backend wake-up and one read per connection rather than one per query. No
   * transactions: those take the pool. Connections are made on the asking context's event loop, as
   * with {@link #create(Vertx, DatabaseConfig, String, int, int)}.
   */
  public static SqlClient createPipelined(
      Vertx vertx, DatabaseConfig config, String name, int maxSize, int maxWaitQueue) {
    return build(PgBuilder.client(), vertx, config, name, maxSize, maxWaitQueue);
  }

  private static <C> C build(
      ClientBuilder<C> builder,
      Vertx vertx,
      DatabaseConfig config,
      String name,
      int maxSize,
      int maxWaitQueue) {
    return builder
        .with(poolOptions(config, name, maxSize, maxWaitQueue))
        .connectingTo(connectOptions(config))
        .using(vertx)
        .build();
  }

  private static PoolOptions poolOptions(
      DatabaseConfig config, String name, int maxSize, int maxWaitQueue) {
    return new PoolOptions()
        .setName(name)
        .setMaxSize(maxSize)
        .setMaxWaitQueueSize(maxWaitQueue)
        .setIdleTimeout((int) config.idleTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setMaxLifetime((int) config.maxLifetime().toMillis())
        .setMaxLifetimeUnit(TimeUnit.MILLISECONDS)
        .setConnectionTimeout((int) config.connectTimeout().toMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
        .setPoolCleanerPeriod(1000);
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
    if (config.pgbouncer()) {
      // a PgBouncer in transaction mode hands each transaction any server connection: a statement
      // named on one may not exist on the next, so each is parsed unnamed, with its execution
      connect.setUseLayer7Proxy(true).setCachePreparedStatements(false);
    }
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
