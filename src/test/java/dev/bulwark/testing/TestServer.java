package dev.bulwark.testing;

import dev.bulwark.Bulwark;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigLoader;
import dev.bulwark.http.ClientAddress;
import dev.bulwark.infra.Metrics;
import dev.bulwark.infra.Tracing;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real Bulwark, started in-process on a free port against the shared test PostgreSQL and Redis,
 * with the same config loading as production (conf/ files + environment variables given here).
 * Requests go over real HTTP.
 */
public final class TestServer implements AutoCloseable {
  private static final AtomicInteger SERVERS = new AtomicInteger();
  private final Vertx vertx;
  private final Bulwark app;
  private final WebClient client;
  private final int port;
  private final Tracing tracing;

  private TestServer(Vertx vertx, Bulwark app, int port, Tracing tracing) {
    this.tracing = tracing;
    this.vertx = vertx;
    this.app = app;
    this.port = port;
    this.client =
        WebClient.create(
            vertx,
            new WebClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(port)
                .setUserAgent("bulwark-tests"));
  }

  /** Base environment for tests: shared services, a free port, cheap bcrypt. */
  public static Map<String, String> baseEnv() {
    TestServices services = TestServices.get();
    Map<String, String> env = new HashMap<>();
    env.put("ENVIRONMENT", "development");
    env.put("DATABASE_URL", services.databaseUrl());
    env.put("REDIS_URL", services.redisUrl());
    env.put("HTTP_PORT", Integer.toString(TestServices.freePort()));
    env.put("HTTP_INSTANCES", "2");
    env.put("BCRYPT_ROUNDS", "4");
    env.put("HASHER_INSTANCES", "2");
    // The gate stays on (revocation travels in its script) but with no limits: every test comes
    // from 127.0.0.1
    // and shares one Redis; RateLimitTest sets its own rules.
    env.put("RATE_LIMIT_RULES", "[]");
    return env;
  }

  public static TestServer start() {
    return start(baseEnv(), Map.of());
  }

  public static TestServer start(Map<String, String> env, Map<String, String> props) {
    return start(env, props, Clock.systemUTC());
  }

  /** A server whose features run on {@code clock} (a test moves it; see {@link Bulwark#start}). */
  public static TestServer start(Map<String, String> env, Map<String, String> props, Clock clock) {
    String environment = env.getOrDefault("ENVIRONMENT", "development");
    if (!environment.equals("development")
        && TestServices.get().redisUrl().equals(env.get("REDIS_URL"))) {
      // a staging or production instance refuses to start beside running peers with another
      // signing key: the development servers sharing database 0 would be such peers
      env = new HashMap<>(env);
      env.put("REDIS_URL", TestServices.get().redisUrl() + "/1");
    }
    String registry = "bulwark-test-" + SERVERS.incrementAndGet();
    BulwarkConfig config = loadConfig(env, props);
    // created as Main creates it: the metrics configuration decides whether a registry exists at
    // all
    Tracing tracing =
        Tracing.create(
            config.tracing(),
            new ClientAddress(config.rateLimit().trustedProxies())::isTrustedProxy);
    Vertx vertx = Metrics.vertx(registry, config.metrics(), tracing);
    try {
      Bulwark app =
          Bulwark.start(vertx, config, false, registry, clock).await(60, TimeUnit.SECONDS);
      return new TestServer(vertx, app, config.http().port(), tracing);
    } catch (Exception e) {
      vertx.close();
      if (tracing != null) {
        tracing.close();
      }
      throw new IllegalStateException("test server failed to start", e);
    }
  }

  private static BulwarkConfig loadConfig(Map<String, String> env, Map<String, String> props) {
    Vertx bootstrap = Vertx.vertx();
    try {
      return new ConfigLoader(bootstrap, Path.of("conf"))
          .load(env, props)
          .await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test server failed to start", e);
    } finally {
      bootstrap.close().await();
    }
  }

  public int port() {
    return port;
  }

  public Bulwark app() {
    return app;
  }

  public Vertx vertx() {
    return vertx;
  }

  public HttpRequest<Buffer> request(HttpMethod method, String path) {
    return client.request(method, path);
  }

  public HttpResponse<Buffer> get(String path) {
    return send(request(HttpMethod.GET, path));
  }

  public HttpResponse<Buffer> send(HttpRequest<Buffer> request) {
    return Await.result(request.send());
  }

  public HttpResponse<Buffer> send(HttpRequest<Buffer> request, JsonObject body) {
    return Await.result(request.sendJsonObject(body));
  }

  public HttpResponse<Buffer> send(HttpRequest<Buffer> request, Buffer body) {
    return Await.result(request.sendBuffer(body));
  }

  @Override
  public void close() {
    try {
      app.stop().await(30, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // closing Vert.x below releases whatever is left
    }
    client.close();
    Await.result(vertx.close());
    if (tracing != null) {
      tracing.close();
    }
  }
}
