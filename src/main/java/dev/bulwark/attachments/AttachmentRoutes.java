package dev.bulwark.attachments;

import dev.bulwark.auth.Principal;
import dev.bulwark.core.Failure;
import dev.bulwark.http.Access;
import dev.bulwark.http.ApiRouter;
import dev.bulwark.http.IdempotencyKeys;
import dev.bulwark.http.JsonBody;
import dev.bulwark.http.PathParams;
import dev.bulwark.http.Responses;
import dev.bulwark.http.RouteModule;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;

/**
 * {@code POST /api/v1/tasks/{id}/attachments} (a streamed multipart upload), {@code GET} and {@code
 * DELETE /api/v1/attachments/{id}}. Every 4xx that the headers can decide comes before the body is
 * read; the upload itself is {@link UploadReceiver}'s.
 */
public final class AttachmentRoutes implements RouteModule {
  static final String UPLOAD = "/api/v1/tasks/:id/attachments";
  static final String ONE = "/api/v1/attachments/:id";
  static final String DIRECT = "/api/v1/tasks/:id/attachments/uploads";
  static final String DIRECT_COMPLETE = "/api/v1/tasks/:id/attachments/uploads/:upload_id/complete";

  /** Room for the multipart framing around the file (boundaries, part headers, a long filename). */
  static final long MULTIPART_SLACK = 64 * 1024;

  private static final CharSequence ETAG = HttpHeaders.createOptimized("ETag");
  private static final CharSequence REPLAYED = HttpHeaders.createOptimized("Idempotent-Replayed");
  private static final CharSequence SANDBOX = HttpHeaders.createOptimized("sandbox");
  private static final CharSequence PRIVATE = HttpHeaders.createOptimized("private, no-cache");
  private static final CharSequence BYTES = HttpHeaders.createOptimized("bytes");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("private, no-store");

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final AttachmentService service;
  private final DirectUploadService direct;

  public AttachmentRoutes(AttachmentService service) {
    this.service = service;
    this.direct = new DirectUploadService(service);
  }

  @Override
  public void mount(ApiRouter api) {
    api.streamed(HttpMethod.POST, UPLOAD, Access.USER, this::upload);
    api.route(HttpMethod.GET, ONE, Access.USER, this::download);
    api.route(HttpMethod.DELETE, ONE, Access.USER, this::delete);
    api.route(HttpMethod.POST, DIRECT, Access.USER, this::startDirect);
    api.route(HttpMethod.POST, DIRECT_COMPLETE, Access.USER, this::completeDirect);
  }

  private void startDirect(RoutingContext ctx) {
    UUID taskId = PathParams.uuid(ctx, "id");
    JsonObject body = JsonBody.object(ctx);
    Object size = body.getValue("size");
    if (!(size instanceof Number n) || n.doubleValue() != n.longValue()) {
      throw Failure.validation("size", "invalid_size", "size must be a whole number of bytes.");
    }
    direct
        .start(
            Principal.of(ctx).userId(),
            taskId,
            stringField(body, "filename"),
            stringField(body, "content_type"),
            n.longValue(),
            stringField(body, "sha256"))
        .onSuccess(
            started -> {
              JsonObject headers = new JsonObject();
              started.put().headers().forEach(headers::put);
              Responses.json(
                  ctx,
                  201,
                  new JsonObject()
                      .put("upload_id", started.upload().id().toString())
                      .put("method", "PUT")
                      .put("url", started.put().url())
                      .put("headers", headers)
                      .put("expires_at", TIMESTAMP.format(started.upload().expiresAt())));
            })
        .onFailure(ctx::fail);
  }

  private void completeDirect(RoutingContext ctx) {
    UUID taskId = PathParams.uuid(ctx, "id");
    UUID uploadId = PathParams.uuid(ctx, "upload_id");
    direct
        .complete(Principal.of(ctx).userId(), taskId, uploadId)
        .onSuccess(
            done -> {
              if (done.replayed()) {
                if (Responses.answered(ctx)) {
                  return;
                }
                ctx.response()
                    .putHeader(
                        HttpHeaders.LOCATION, "/api/v1/attachments/" + done.attachment().id());
                Responses.json(ctx, 200, Buffer.buffer(done.attachment().json()));
              } else {
                created(ctx, done.attachment(), false);
              }
            })
        .onFailure(ctx::fail);
  }

  private static String stringField(JsonObject body, String name) {
    Object v = body.getValue(name);
    if (!(v instanceof String s)) {
      throw Failure.validation(name, "invalid_" + name, name + " must be a string.");
    }
    return s;
  }

  private void upload(RoutingContext ctx) {
    UUID taskId = PathParams.uuid(ctx, "id");
    String key = IdempotencyKeys.of(ctx);
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      throw Failure.of(
          Failure.Kind.UNSUPPORTED_MEDIA_TYPE,
          "unsupported_media_type",
          "Send the file as multipart/form-data, in a part named 'file'.");
    }
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    long max = service.config().maxFileSize();
    if (length != null && declaredLength(length) > max + MULTIPART_SLACK) {
      throw UploadReceiver.tooLarge(max);
    }
    UUID userId = Principal.of(ctx).userId();
    service
        .admit(userId, taskId, key)
        .onSuccess(
            admission -> {
              if (admission instanceof AttachmentService.Replay replay) {
                created(ctx, replay.attachment(), true);
              } else {
                receive(ctx, userId, taskId, key, (AttachmentService.Slot) admission);
              }
            })
        .onFailure(ctx::fail);
  }

  private void receive(
      RoutingContext ctx, UUID userId, UUID taskId, String key, AttachmentService.Slot slot) {
    BlobStore store = service.store();
    new UploadReceiver(ctx.vertx(), ctx.request(), service.config(), store, slot)
        .receive()
        .compose(
            file ->
                service
                    .complete(userId, taskId, file, key)
                    .recover(
                        err ->
                            store
                                .delete(file.storageKey())
                                .recover(x -> Future.succeededFuture())
                                .compose(v -> Future.failedFuture(err))))
        .onSuccess(a -> created(ctx, a, false))
        .onFailure(
            err ->
                service
                    .release(slot.id())
                    .onComplete(
                        v -> {
                          if (err instanceof AttachmentService.Replayed replayed) {
                            created(ctx, replayed.attachment, true);
                          } else {
                            ctx.fail(err);
                          }
                        }));
  }

  private static void created(RoutingContext ctx, Attachment a, boolean replayed) {
    if (Responses.answered(ctx)) {
      return;
    }
    HttpServerResponse response =
        ctx.response().putHeader(HttpHeaders.LOCATION, "/api/v1/attachments/" + a.id());
    if (replayed) {
      response.putHeader(REPLAYED, "true");
    }
    Responses.json(ctx, 201, Buffer.buffer(a.json()));
  }

  private void download(RoutingContext ctx) {
    UUID id = PathParams.uuid(ctx, "id");
    service.find(Principal.of(ctx).userId(), id).onSuccess(a -> send(ctx, a)).onFailure(ctx::fail);
  }

  private void send(RoutingContext ctx, Attachment a) {
    if (Responses.answered(ctx)) {
      return;
    }
    HttpServerResponse response = ctx.response();
    String direct =
        service.store().downloadUrl(a.storageKey(), a.contentType(), disposition(a.filename()));
    if (direct != null) {
      // the store serves the bytes itself, with the sniffed type and the attachment disposition
      // signed into the URL; the redirect is per user and short-lived, so never cached
      response
          .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
          .putHeader(HttpHeaders.LOCATION, direct)
          .setStatusCode(302)
          .end();
      return;
    }
    response
        .putHeader(HttpHeaders.CONTENT_TYPE, a.contentType())
        .putHeader(HttpHeaders.CONTENT_DISPOSITION, disposition(a.filename()))
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Content-Security-Policy", SANDBOX)
        .putHeader(HttpHeaders.CACHE_CONTROL, PRIVATE)
        .putHeader(HttpHeaders.ACCEPT_RANGES, BYTES)
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY)
        .putHeader(ETAG, a.etag());
    String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
    if (ifNoneMatch != null && (ifNoneMatch.contains(a.etag()) || ifNoneMatch.equals("*"))) {
      response.setStatusCode(304).end();
      return;
    }
    long[] range = ByteRange.of(ctx.request(), a.size(), a.etag());
    if (range == ByteRange.UNSATISFIABLE) {
      response.putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + a.size()).setStatusCode(416).end();
      return;
    }
    long offset = range == null ? 0 : range[0];
    long length = range == null ? a.size() : range[1] - range[0] + 1;
    if (range != null) {
      response
          .setStatusCode(206)
          .putHeader(
              HttpHeaders.CONTENT_RANGE, "bytes " + range[0] + "-" + range[1] + "/" + a.size());
    }
    if (ctx.request().method() == HttpMethod.HEAD) {
      response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length)).end();
      return;
    }
    service
        .store()
        .send(a.storageKey(), response, offset, length)
        .onFailure(
            err -> {
              if (!response.headWritten()) {
                ctx.fail(err);
              } else {
                response.reset();
              }
            });
  }

  private void delete(RoutingContext ctx) {
    UUID id = PathParams.uuid(ctx, "id");
    service
        .delete(Principal.of(ctx).userId(), id)
        .onSuccess(v -> Responses.noContent(ctx))
        .onFailure(ctx::fail);
  }

  /**
   * {@code attachment}, with the name as ASCII (anything else, quotes and backslashes as {@code _})
   * and in full as RFC 8187 {@code filename*}.
   */
  static String disposition(String filename) {
    StringBuilder ascii = new StringBuilder(filename.length());
    for (int i = 0; i < filename.length(); i++) {
      char c = filename.charAt(i);
      ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%' ? c : '_');
    }
    String encoded = URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20");
    return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
  }

  private static long declaredLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw Failure.invalid("invalid_content_length", "Content-Length is not a number.");
    }
  }
}
