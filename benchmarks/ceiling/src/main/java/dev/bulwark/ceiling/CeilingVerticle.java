package dev.bulwark.ceiling;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * One event loop's whole server: its HTTP server, its own PostgreSQL pool (created here, so its connections live on
 * this loop), its own Redis connection, its own MACs and buffers. Four routes, matched by hand; anything else is 404.
 * Nothing else is on the path: no access log, no metrics, no request ids, no security headers.
 */
final class CeilingVerticle extends VerticleBase {
  private static final Logger log = Logger.getLogger(CeilingVerticle.class.getName());
  static final String TASKS = "/api/v1/tasks";
  private static final String TASK_PREFIX = TASKS + "/";
  static final String REFRESH = "/api/v1/auth/refresh";
  private static final int BODY_LIMIT = 64 * 1024;
  private static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence ETAG = HttpHeaders.createOptimized("ETag");
  private static final CharSequence LOCATION = HttpHeaders.createOptimized("Location");
  private static final CharSequence CACHE_CONTROL = HttpHeaders.createOptimized("Cache-Control");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  private final Settings settings;
  private Pool pg;
  private SqlClient reads;
  private Redis redisClient;
  private RedisConnection redis;
  private AccessTokens tokens;
  private Admission admission;
  private Tasks tasks;
  private Refresh refresh;
  private long serverErrors;

  CeilingVerticle(Settings settings) {
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    PgConnectOptions connect = new PgConnectOptions()
        .setHost(settings.pgHost())
        .setPort(settings.pgPort())
        .setDatabase(settings.pgDatabase())
        .setUser(settings.pgUser())
        .setPipeliningLimit(256)
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(256);
    if (settings.pgPassword() != null) {
      connect.setPassword(settings.pgPassword());
    }
    // event-loop size 0 (the default): the pool's connections are made on the loop that asks, this one
    pg = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(settings.poolPerVerticle()).setName("ceiling-" + context.deploymentID()))
        .connectingTo(connect)
        .using(vertx)
        .build();
    // single-statement reads go through a pipelined client: its connections carry many queries at once, so a burst
    // of reads wakes one PostgreSQL backend per connection instead of one per query (the pool lends a connection to
    // one query at a time); transactions keep the pool
    reads = settings.pipelinedPerVerticle() == 0 ? pg : PgBuilder.client()
        .with(new PoolOptions().setMaxSize(settings.pipelinedPerVerticle()).setName("ceiling-reads-" + context.deploymentID()))
        .connectingTo(connect)
        .using(vertx)
        .build();
    tokens = new AccessTokens(settings);
    tasks = new Tasks(pg, reads, settings);
    redisClient = Redis.createClient(vertx, new RedisOptions().setConnectionString(settings.redisUrl()));
    return redisClient.connect()
        .compose(conn -> {
          redis = conn;
          admission = new Admission(conn);
          refresh = new Refresh(pg, conn, tokens, settings);
          return Admission.load(conn);
        })
        .compose(v -> vertx.createHttpServer(new HttpServerOptions().setHost(settings.httpHost()).setPort(settings.httpPort()))
            .requestHandler(this::handle)
            .listen());
  }

  @Override
  public Future<?> stop() {
    Future<Void> redisClosed = redis == null ? Future.succeededFuture() : redis.close();
    return Future.join(redisClosed, pg.close(), reads == pg ? Future.succeededFuture() : reads.close()).onComplete(ar -> redisClient.close());
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    HttpMethod method = req.method();
    try {
      if (path.equals(TASKS)) {
        if (method == HttpMethod.GET) {
          list(req);
        } else if (method == HttpMethod.POST) {
          create(req);
        } else {
          fail(req, Reject.METHOD);
        }
      } else if (path.startsWith(TASK_PREFIX)) {
        if (method == HttpMethod.GET) {
          get(req, path);
        } else {
          fail(req, Reject.METHOD);
        }
      } else if (path.equals(REFRESH)) {
        if (method == HttpMethod.POST) {
          refresh(req);
        } else {
          fail(req, Reject.METHOD);
        }
      } else {
        fail(req, Reject.NOT_FOUND);
      }
    } catch (Reject r) {
      fail(req, r);
    }
  }

  /** {@code GET /api/v1/tasks?limit=N}: token → admission → one SELECT → the page. */
  private void list(HttpServerRequest req) {
    AccessTokens.Principal p = principal(req);
    int limit = limit(req.getParam("limit"));
    admission.user(p)
        .compose(v -> tasks.page(p.userId(), limit))
        .onComplete(ar -> answer(req, 200, ar));
  }

  /** {@code GET /api/v1/tasks/{id}}: token → admission → one SELECT → the task, with its ETag. */
  private void get(HttpServerRequest req, String path) {
    AccessTokens.Principal p = principal(req);
    UUID id = taskId(path.substring(TASK_PREFIX.length()));
    admission.user(p)
        .compose(v -> tasks.one(p.userId(), id))
        .onComplete(ar -> task(req, 200, ar));
  }

  /** {@code POST /api/v1/tasks}: token → body → admission → validation → the create transaction → 201. */
  private void create(HttpServerRequest req) {
    AccessTokens.Principal p = principal(req);
    jsonBody(req)
        .compose(body -> admission.user(p).map(v -> Tasks.newTask(body)))
        .compose(task -> tasks.create(p.userId(), task))
        .onComplete(ar -> task(req, 201, ar));
  }

  /** {@code POST /api/v1/auth/refresh}: body → admission by address → the rotation transaction → a token pair. */
  private void refresh(HttpServerRequest req) {
    String ip = req.remoteAddress().hostAddress();
    jsonBody(req)
        .compose(body -> admission.address(ip).map(v -> Refresh.presented(body)))
        .compose(token -> refresh.rotate(token, ip))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            req.response().putHeader(CACHE_CONTROL, NO_STORE);
          }
          answer(req, 200, ar);
        });
  }

  private AccessTokens.Principal principal(HttpServerRequest req) {
    AccessTokens.Principal p = tokens.verify(req.getHeader(HttpHeaders.AUTHORIZATION), System.currentTimeMillis() / 1000);
    if (p == null) {
      throw Reject.UNAUTHORIZED;
    }
    return p;
  }

  private static int limit(String value) {
    if (value == null) {
      return Tasks.DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= 1 && n <= Tasks.MAX_LIMIT) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // refused below
    }
    throw Reject.BAD_QUERY;
  }

  private static UUID taskId(String s) {
    if (s.length() != 36) {
      throw Reject.NOT_FOUND;
    }
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      throw Reject.NOT_FOUND;
    }
  }

  /** The whole body of a JSON request, at most 64 KiB. */
  private static Future<Buffer> jsonBody(HttpServerRequest req) {
    String type = req.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.regionMatches(true, 0, "application/json", 0, 16)) {
      throw Reject.MEDIA_TYPE;
    }
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null || length.isEmpty() || length.length() > 6 || !length.chars().allMatch(Character::isDigit)) {
      throw Reject.BAD_BODY;
    }
    if (Integer.parseInt(length) > BODY_LIMIT) {
      throw Reject.TOO_LARGE;
    }
    return req.body();
  }

  private void task(HttpServerRequest req, int status, AsyncResult<Row> ar) {
    if (ar.failed()) {
      fail(req, ar.cause());
      return;
    }
    Row row = ar.result();
    HttpServerResponse response = req.response().putHeader(ETAG, "\"" + row.getInteger(8) + "\"");
    if (status == 201) {
      response.putHeader(LOCATION, TASK_PREFIX + row.getUUID(0));
    }
    send(req, status, tasks.taskJson(row));
  }

  private void answer(HttpServerRequest req, int status, AsyncResult<Buffer> ar) {
    if (ar.succeeded()) {
      send(req, status, ar.result());
    } else {
      fail(req, ar.cause());
    }
  }

  private static void send(HttpServerRequest req, int status, Buffer body) {
    req.response().setStatusCode(status).putHeader(CONTENT_TYPE, JSON).end(body);
  }

  private void fail(HttpServerRequest req, Throwable err) {
    int status = 500;
    String code = "internal_error";
    if (err instanceof Reject r) {
      status = r.status;
      code = r.code;
    } else if (serverErrors++ % 1000 == 0) {
      log.warning("request failed (" + serverErrors + " so far on this loop): " + err);
    }
    send(req, status, Buffer.buffer("{\"code\":\"" + code + "\"}", StandardCharsets.UTF_8.name()));
  }
}
