package dev.bulwark.attachments;

import dev.bulwark.config.StorageConfig;
import dev.bulwark.core.Failure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.streams.ReadStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blobs as objects of an S3-compatible bucket, over one keep-alive {@link HttpClient} and signed
 * with {@link SigV4}. S3 wants a PUT's length up front, and what is stored is known only when the
 * upload ends (metadata is stripped as it streams), so a blob is first spooled to a file of its own
 * (back-pressured, its SHA-256 computed as it is written), then PUT with that length and hash: S3
 * refuses a body that does not match. The spool file goes on every path; one a crash left behind
 * goes with the orphan sweep.
 */
final class S3BlobStore implements BlobStore, DirectTarget {
  private static final Logger log = LoggerFactory.getLogger(S3BlobStore.class);
  private static final Pattern ERROR_CODE = Pattern.compile("<Code>([^<]{1,100})</Code>");
  private static final String SPOOL = ".spool";
  private static final int PAGE = 1000;

  static final Failure UNAVAILABLE =
      Failure.unavailable(
          "storage_unavailable", "Attachment storage is unavailable; try again shortly.", 5);
  private static final Failure GONE =
      Failure.gone("attachment_gone", "The attachment's bytes are no longer stored.");

  private final Vertx vertx;
  private final FileSystem fs;
  private final StorageConfig.S3 config;
  private final HttpClient http;
  private final SigV4 signer;
  private final String connectHost;
  private final int port;
  private final boolean ssl;
  private final HostAndPort authority;
  private final String hostHeader;
  private final String basePath;
  private final String baseUrl;

  S3BlobStore(Vertx vertx, StorageConfig.S3 config) {
    this.vertx = vertx;
    this.fs = vertx.fileSystem();
    this.config = config;
    URI endpoint = config.endpoint();
    this.ssl = "https".equals(endpoint.getScheme());
    this.port = endpoint.getPort() == -1 ? (ssl ? 443 : 80) : endpoint.getPort();
    this.connectHost =
        config.pathStyle() ? endpoint.getHost() : config.bucket() + "." + endpoint.getHost();
    this.authority = HostAndPort.create(connectHost, endpoint.getPort());
    this.hostHeader =
        endpoint.getPort() == -1 ? connectHost : connectHost + ":" + endpoint.getPort();
    String prefix = endpoint.getPath() == null ? "" : endpoint.getPath();
    this.basePath = prefix + (config.pathStyle() ? "/" + config.bucket() : "");
    this.baseUrl = endpoint.getScheme() + "://" + hostHeader;
    this.signer = new SigV4(config.accessKeyId(), config.secretAccessKey(), config.region(), "s3");
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                .setConnectTimeout((int) config.timeout().toMillis()),
            new PoolOptions().setHttp1MaxSize(32));
  }

  // --- requests -----------------------------------------------------------------------------

  /** A signed request to {@code path} (already including the bucket when path-style). */
  private Future<HttpClientRequest> request(
      HttpMethod method,
      String path,
      Map<String, String> query,
      Map<String, String> signedHeaders,
      String payloadHash) {
    Instant now = Instant.now();
    Map<String, String> headers = new TreeMap<>(signedHeaders);
    headers.put("host", hostHeader);
    headers.put("x-amz-date", SigV4.amzDate(now));
    headers.put("x-amz-content-sha256", payloadHash);
    if (config.sessionToken() != null) {
      headers.put("x-amz-security-token", config.sessionToken());
    }
    String authorization =
        signer.authorization(method.name(), path, query, headers, payloadHash, now);
    String uri = SigV4.encodePath(path);
    if (!query.isEmpty()) {
      StringBuilder q = new StringBuilder();
      new TreeMap<>(query)
          .forEach(
              (k, v) ->
                  q.append(q.length() == 0 ? '?' : '&')
                      .append(SigV4.encode(k))
                      .append('=')
                      .append(SigV4.encode(v)));
      uri += q;
    }
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setHost(connectHost)
            .setPort(port)
            .setSsl(ssl)
            .setURI(uri)
            .setIdleTimeout(config.timeout().toMillis());
    headers.forEach(
        (k, v) -> {
          if (!k.equals("host")) {
            options.putHeader(k, v);
          }
        });
    options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
    return http.request(options).map(req -> req.authority(authority));
  }

  private String objectPath(String key) {
    return basePath + "/" + key;
  }

  private Future<HttpClientResponse> call(HttpMethod method, String key, Map<String, String> h) {
    return request(method, objectPath(key), Map.of(), h, SigV4.EMPTY_SHA256)
        .compose(HttpClientRequest::send);
  }

  /** Reads S3's error body for its code, logs it with the status, and fails with {@code err}. */
  private <T> Future<T> refused(String what, String key, HttpClientResponse response, Failure err) {
    return response
        .body()
        .recover(x -> Future.succeededFuture(Buffer.buffer()))
        .compose(
            body -> {
              Matcher m = ERROR_CODE.matcher(body.toString());
              log.warn(
                  "S3 {} of {} answered {} {}",
                  what,
                  key,
                  response.statusCode(),
                  m.find() ? m.group(1) : "(no error code)");
              return Future.failedFuture(err);
            });
  }

  /** A failure to reach S3 at all (refused, reset, timed out): logged once, then 503. */
  private <T> Future<T> unreachable(String what, String key, Throwable err) {
    if (err instanceof Failure f) {
      return Future.failedFuture(f);
    }
    log.warn("S3 {} of {} failed: {}", what, key, err.toString());
    return Future.failedFuture(UNAVAILABLE);
  }

  // --- BlobStore ----------------------------------------------------------------------------

  @Override
  public Future<Sink> create(String key) {
    String spool = config.spoolPath().resolve(key.replace('/', '-') + SPOOL).toString();
    return fs.mkdirs(config.spoolPath().toString())
        .compose(v -> fs.open(spool, new OpenOptions().setCreateNew(true).setWrite(true)))
        .map(file -> new SpoolSink(key, spool, file));
  }

  @Override
  public Future<Void> send(String key, HttpServerResponse response, long offset, long length) {
    String range = "bytes=" + offset + "-" + (offset + length - 1);
    return call(HttpMethod.GET, key, Map.of("range", range))
        .recover(err -> unreachable("GET", key, err))
        .compose(
            s3 -> {
              int status = s3.statusCode();
              String got = s3.getHeader(HttpHeaders.CONTENT_LENGTH);
              if ((status == 200 || status == 206) && Long.toString(length).equals(got)) {
                response.putHeader(HttpHeaders.CONTENT_LENGTH, got);
                return s3.pipeTo(response).onFailure(err -> s3.request().reset());
              }
              return refused("GET", key, s3, status == 404 ? GONE : UNAVAILABLE);
            });
  }

  @Override
  public String downloadUrl(String key, String contentType, String disposition) {
    if (!config.presignedGet()) {
      return null;
    }
    Map<String, String> query = new TreeMap<>();
    query.put("response-content-type", contentType);
    query.put("response-content-disposition", disposition);
    return presignedUrl(
        HttpMethod.GET, key, query, Map.of(), SigV4.UNSIGNED_PAYLOAD, config.presignTtl());
  }

  /** A URL anyone may use, until {@code ttl} ends, for exactly this request. */
  String presignedUrl(
      HttpMethod method,
      String key,
      Map<String, String> query,
      Map<String, String> headers,
      String payloadHash,
      Duration ttl) {
    Map<String, String> signed = new TreeMap<>(headers);
    signed.put("host", hostHeader);
    String path = objectPath(key);
    String q =
        signer.presign(
            method.name(),
            path,
            query,
            signed,
            config.sessionToken(),
            payloadHash,
            Instant.now(),
            ttl);
    return baseUrl + SigV4.encodePath(path) + "?" + q;
  }

  @Override
  public PresignedPut presignPut(
      String key, String contentType, long size, String sha256, Duration ttl) {
    Map<String, String> headers = new TreeMap<>();
    headers.put("content-length", Long.toString(size));
    headers.put("content-type", contentType);
    headers.put("x-amz-content-sha256", sha256);
    String url = presignedUrl(HttpMethod.PUT, key, Map.of(), headers, SigV4.UNSIGNED_PAYLOAD, ttl);
    Map<String, String> send = new TreeMap<>();
    send.put("Content-Length", Long.toString(size));
    send.put("Content-Type", contentType);
    send.put("x-amz-content-sha256", sha256);
    return new PresignedPut(url, send);
  }

  @Override
  public Future<Long> size(String key) {
    return call(HttpMethod.HEAD, key, Map.of())
        .recover(err -> unreachable("HEAD", key, err))
        .compose(
            r -> {
              if (r.statusCode() == 200) {
                String length = r.getHeader(HttpHeaders.CONTENT_LENGTH);
                return r.body().map(length == null ? -1L : Long.parseLong(length));
              }
              if (r.statusCode() == 404) {
                return r.body().map(-1L);
              }
              return refused("HEAD", key, r, UNAVAILABLE);
            });
  }

  @Override
  public Future<ReadStream<Buffer>> read(String key) {
    return call(HttpMethod.GET, key, Map.of())
        .recover(err -> unreachable("GET", key, err))
        .compose(
            r -> {
              if (r.statusCode() == 200) {
                r.pause();
                return Future.succeededFuture(r);
              }
              return refused("GET", key, r, r.statusCode() == 404 ? GONE : UNAVAILABLE);
            });
  }

  @Override
  public Future<Boolean> exists(String key) {
    return call(HttpMethod.HEAD, key, Map.of())
        .recover(err -> unreachable("HEAD", key, err))
        .compose(
            r -> {
              if (r.statusCode() == 200) {
                return r.body().map(true);
              }
              if (r.statusCode() == 404) {
                return r.body().map(false);
              }
              return refused("HEAD", key, r, UNAVAILABLE);
            });
  }

  @Override
  public Future<Void> delete(String key) {
    return call(HttpMethod.DELETE, key, Map.of())
        .recover(err -> unreachable("DELETE", key, err))
        .compose(
            r ->
                r.statusCode() / 100 == 2 || r.statusCode() == 404
                    ? r.body().mapEmpty()
                    : refused("DELETE", key, r, UNAVAILABLE));
  }

  @Override
  public Future<List<String>> list(Instant before, int limit) {
    return page(null, before, limit, new ArrayList<>());
  }

  private Future<List<String>> page(String token, Instant before, int limit, List<String> out) {
    Map<String, String> query = new TreeMap<>();
    query.put("list-type", "2");
    query.put("prefix", "u/");
    query.put("max-keys", Integer.toString(PAGE));
    if (token != null) {
      query.put("continuation-token", token);
    }
    String path = basePath.isEmpty() ? "/" : basePath;
    return request(HttpMethod.GET, path, query, Map.of(), SigV4.EMPTY_SHA256)
        .compose(HttpClientRequest::send)
        .recover(err -> unreachable("list", "u/", err))
        .compose(
            r ->
                r.statusCode() == 200
                    ? r.body()
                    : this.<Buffer>refused("list", "u/", r, UNAVAILABLE))
        // a page is at most a thousand keys (some 300 KB): parsed off the event loop all the same
        .compose(body -> vertx.executeBlocking(() -> S3Listing.parse(body)))
        .compose(
            listing -> {
              for (S3Listing.Entry e : listing.entries()) {
                if (out.size() < limit && e.lastModified().isBefore(before)) {
                  out.add(e.key());
                }
              }
              return out.size() >= limit || listing.next() == null
                  ? Future.succeededFuture(out)
                  : page(listing.next(), before, limit, out);
            });
  }

  @Override
  public Future<Integer> removeStaleSpool(Instant before) {
    String dir = config.spoolPath().toString();
    return fs.exists(dir)
        .compose(found -> found ? fs.readDir(dir) : Future.succeededFuture(List.<String>of()))
        .compose(files -> removeOld(files, 0, before.toEpochMilli(), 0));
  }

  private Future<Integer> removeOld(List<String> files, int at, long beforeMillis, int removed) {
    if (at >= files.size()) {
      return Future.succeededFuture(removed);
    }
    String file = files.get(at);
    return fs.props(file)
        .compose(
            p ->
                p.isRegularFile() && file.endsWith(SPOOL) && p.lastModifiedTime() < beforeMillis
                    ? fs.delete(file).map(1)
                    : Future.succeededFuture(0))
        .recover(err -> Future.succeededFuture(0))
        .compose(n -> removeOld(files, at + 1, beforeMillis, removed + n));
  }

  /** Where the spool file of {@code key} is (tests look for leftovers there). */
  static Path spoolFile(StorageConfig.S3 config, String key) {
    return config.spoolPath().resolve(key.replace('/', '-') + SPOOL);
  }

  /** The upload spooled to a file, its length and SHA-256 counted as it is written. */
  private final class SpoolSink implements Sink {
    private final String key;
    private final String spool;
    private final AsyncFile file;
    private final MessageDigest sha256;
    private long size;
    private boolean closed;

    SpoolSink(String key, String spool, AsyncFile file) {
      this.key = key;
      this.spool = spool;
      this.file = file;
      try {
        this.sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is not available", e);
      }
    }

    @Override
    public Future<Void> write(Buffer data) {
      sha256.update(data.getBytes());
      size += data.length();
      return file.write(data);
    }

    @Override
    public boolean writeQueueFull() {
      return file.writeQueueFull();
    }

    @Override
    public void drainHandler(Runnable drained) {
      file.drainHandler(v -> drained.run());
    }

    @Override
    public Future<Void> commit() {
      closed = true;
      String hash = HexFormat.of().formatHex(sha256.digest());
      return file.close()
          .compose(v -> fs.open(spool, new OpenOptions().setRead(true)))
          .compose(body -> put(hash, body).eventually(body::close))
          .recover(
              err ->
                  // a PUT that failed may still have left an object: remove it (best effort)
                  delete(key)
                      .recover(x -> Future.succeededFuture())
                      .compose(v -> Future.failedFuture(err)))
          .eventually(this::removeSpool);
    }

    private Future<Void> put(String hash, AsyncFile body) {
      Map<String, String> h = Map.of("content-type", "application/octet-stream");
      return request(HttpMethod.PUT, objectPath(key), Map.of(), h, hash)
          .compose(req -> req.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(size)).send(body))
          .recover(err -> unreachable("PUT", key, err))
          .compose(
              r ->
                  r.statusCode() == 200
                      ? r.body().<Void>mapEmpty()
                      : refused("PUT", key, r, UNAVAILABLE));
    }

    @Override
    public Future<Void> abort() {
      Future<Void> close = closed ? Future.succeededFuture() : file.close();
      closed = true;
      return close.recover(err -> Future.succeededFuture()).compose(v -> removeSpool());
    }

    private Future<Void> removeSpool() {
      return fs.exists(spool)
          .compose(found -> found ? fs.delete(spool) : Future.succeededFuture())
          .recover(err -> Future.succeededFuture());
    }
  }
}
