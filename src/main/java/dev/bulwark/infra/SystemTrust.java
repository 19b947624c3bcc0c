package dev.bulwark.infra;

import io.vertx.core.Vertx;
import io.vertx.core.net.TrustOptions;
import java.security.KeyStore;
import java.util.function.Function;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JVM's own trust store (its {@code cacerts}, or {@code -Djavax.net.ssl.trustStore}) as Vert.x
 * trust options. Loaded when Vert.x builds the TLS context, which it does on a worker thread, never
 * at construction.
 */
final class SystemTrust implements TrustOptions {

  @Override
  public TrustOptions copy() {
    return this;
  }

  @Override
  public TrustManagerFactory getTrustManagerFactory(Vertx vertx) throws Exception {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    return factory;
  }

  @Override
  public Function<String, TrustManager[]> trustManagerMapper(Vertx vertx) {
    return serverName -> null;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SystemTrust;
  }

  @Override
  public int hashCode() {
    return SystemTrust.class.hashCode();
  }
}
