package dev.bulwark.config;

import java.time.Duration;

/**
 * PostgreSQL: where it is (TLS as the URL's {@code sslmode} says, see {@link DatabaseUrl}) and how
 * the shared, bounded pool behaves. {@code url} is null until resolved. {@code migrateOnStart} off:
 * the schema is migrated by {@code bulwark migrate} (a Job run before a rollout), and the server
 * only checks that nothing is pending. {@code pgbouncer}: the URL is a PgBouncer in transaction
 * mode, so statements are sent unnamed (a server connection is not the client's from one
 * transaction to the next). {@code readConnections}: pipelined connections, beside the pool, that
 * carry the hot path's single-statement reads (0: those reads use the pool too).
 */
public record DatabaseConfig(
    DatabaseUrl url,
    int poolSize,
    int readConnections,
    int maxWaitQueue,
    Duration connectTimeout,
    Duration idleTimeout,
    Duration maxLifetime,
    int pipeliningLimit,
    int preparedStatementCacheSize,
    Duration healthTimeout,
    boolean migrateOnStart,
    boolean pgbouncer) {

  static DatabaseConfig read(ConfigReader r) {
    DatabaseUrl url = null;
    String raw = r.optionalString("database.url");
    if (raw != null) {
      try {
        url = DatabaseUrl.parse(raw);
      } catch (IllegalArgumentException e) {
        r.problem("database.url", e.getMessage());
      }
    }
    url = withTrustedCas(r, url);
    return new DatabaseConfig(
        url,
        r.intIn("database.poolSize", 16, 1, 1000),
        r.intIn("database.readConnections", 2, 0, 1000),
        r.intIn("database.maxWaitQueue", 1024, 0, 1_000_000),
        r.duration(
            "database.connectTimeout",
            Duration.ofSeconds(5),
            Duration.ofMillis(100),
            Duration.ofMinutes(5)),
        r.duration(
            "database.idleTimeout",
            Duration.ofMinutes(5),
            Duration.ofSeconds(1),
            Duration.ofDays(1)),
        r.duration(
            "database.maxLifetime",
            Duration.ofMinutes(30),
            Duration.ofSeconds(1),
            Duration.ofDays(7)),
        r.intIn("database.pipeliningLimit", 256, 1, 4096),
        r.intIn("database.preparedStatementCacheSize", 256, 0, 100_000),
        r.duration(
            "database.healthTimeout",
            Duration.ofSeconds(2),
            Duration.ofMillis(50),
            Duration.ofMinutes(1)),
        r.bool("database.migrateOnStart", true),
        r.bool("database.pgbouncer", false));
  }

  /**
   * {@code database.caFile} ({@code DATABASE_CA_FILE}) names the CAs a verifying {@code sslmode}
   * trusts, as {@code sslrootcert} in the URL does. Either is refused where it would verify
   * nothing.
   */
  private static DatabaseUrl withTrustedCas(ConfigReader r, DatabaseUrl url) {
    String caFile = r.optionalString("database.caFile");
    if (url == null) {
      return null;
    }
    String key = caFile != null ? "database.caFile" : "database.url";
    if (caFile != null) {
      url = url.withSslRootCert(caFile);
    }
    if (url.sslRootCert() == null) {
      return url;
    }
    if (!url.verifiesServer()) {
      r.problem(
          key,
          "a CA file is used only with sslmode=verify-full (or verify-ca) in DATABASE_URL; sslmode="
              + url.sslMode()
              + " does not verify the server");
      return url;
    }
    try {
      CaFiles.check(url.sslRootCert());
    } catch (IllegalArgumentException e) {
      r.problem(key, e.getMessage());
    }
    return url;
  }

  /** One HTTP verticle's share of {@code poolSize}: split evenly between them, rounded up. */
  public int poolSizePerVerticle(int verticles) {
    return (poolSize + verticles - 1) / verticles;
  }

  /**
   * One HTTP verticle's pipelined read connections: its share of {@code readConnections}, rounded
   * up, at least one; 0 when they are off or when statements go through PgBouncer (which hands each
   * transaction any server connection, so a pipeline of them is not the client's to keep).
   */
  public int readConnectionsPerVerticle(int verticles) {
    if (readConnections == 0 || pgbouncer) {
      return 0;
    }
    return Math.max(1, (readConnections + verticles - 1) / verticles);
  }

  /** One HTTP verticle's share of {@code maxWaitQueue}, rounded up. */
  public int maxWaitQueuePerVerticle(int verticles) {
    return (maxWaitQueue + verticles - 1) / verticles;
  }

  public DatabaseConfig withUrl(DatabaseUrl newUrl) {
    return new DatabaseConfig(
        newUrl,
        poolSize,
        readConnections,
        maxWaitQueue,
        connectTimeout,
        idleTimeout,
        maxLifetime,
        pipeliningLimit,
        preparedStatementCacheSize,
        healthTimeout,
        migrateOnStart,
        pgbouncer);
  }
}
