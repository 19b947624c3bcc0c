package dev.bulwark.attachments;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.CopyOptions;
import io.vertx.core.file.FileSystem;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Blobs as files under one folder: {@code <root>/u/<user>/<uuid>}, written to {@code <uuid>.part}
 * and renamed when complete, so a reader never sees half a file. Vert.x's file system runs each
 * call on a worker thread; a response is sent with {@code sendFile} (no copy through the heap).
 */
final class LocalBlobStore implements BlobStore {
  private static final String PART = ".part";

  private final FileSystem fs;
  private final Path root;

  LocalBlobStore(Vertx vertx, Path root) {
    this.fs = vertx.fileSystem();
    this.root = root;
  }

  private String path(String key) {
    return root.resolve(key).toString();
  }

  @Override
  public Future<Sink> create(String key) {
    Path file = root.resolve(key);
    String part = file + PART;
    return fs.mkdirs(file.getParent().toString())
        .compose(v -> fs.open(part, new OpenOptions().setCreateNew(true).setWrite(true)))
        .map(f -> new FileSink(f, part, file.toString()));
  }

  @Override
  public Future<Void> send(String key, HttpServerResponse response, long offset, long length) {
    return response.sendFile(path(key), offset, length);
  }

  @Override
  public Future<Boolean> exists(String key) {
    return fs.exists(path(key));
  }

  @Override
  public Future<Void> delete(String key) {
    String path = path(key);
    return fs.exists(path).compose(found -> found ? fs.delete(path) : Future.succeededFuture());
  }

  @Override
  public Future<List<String>> list(Instant before, int limit) {
    String users = root.resolve("u").toString();
    return fs.exists(users)
        .compose(found -> found ? fs.readDir(users) : Future.succeededFuture(List.<String>of()))
        .compose(dirs -> collect(dirs, 0, new ArrayList<>(), before.toEpochMilli(), limit));
  }

  private Future<List<String>> collect(
      List<String> dirs, int at, List<String> out, long beforeMillis, int limit) {
    if (at >= dirs.size() || out.size() >= limit) {
      return Future.succeededFuture(out);
    }
    String dir = dirs.get(at);
    return fs.readDir(dir)
        .compose(files -> old(files, 0, out, beforeMillis, limit))
        .compose(v -> collect(dirs, at + 1, out, beforeMillis, limit));
  }

  private Future<Void> old(
      List<String> files, int at, List<String> out, long beforeMillis, int limit) {
    if (at >= files.size() || out.size() >= limit) {
      return Future.succeededFuture();
    }
    String file = files.get(at);
    return fs.props(file)
        .compose(
            props -> {
              // an unfinished upload's .part is old only when its upload was abandoned: the sweep
              // removes it like any blob without a row
              if (props.isRegularFile() && props.lastModifiedTime() < beforeMillis) {
                Path rel = root.relativize(Path.of(file));
                out.add(rel.toString().replace('\\', '/'));
              }
              return old(files, at + 1, out, beforeMillis, limit);
            });
  }

  /** A file being written under its {@code .part} name. */
  private final class FileSink implements Sink {
    private final AsyncFile file;
    private final String part;
    private final String target;
    private boolean closed;

    FileSink(AsyncFile file, String part, String target) {
      this.file = file;
      this.part = part;
      this.target = target;
    }

    @Override
    public Future<Void> write(Buffer data) {
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
      return file.close().compose(v -> fs.move(part, target, new CopyOptions()));
    }

    @Override
    public Future<Void> abort() {
      Future<Void> close = closed ? Future.succeededFuture() : file.close();
      closed = true;
      return close
          .recover(err -> Future.succeededFuture())
          .compose(v -> fs.exists(part))
          .compose(found -> found ? fs.delete(part) : Future.succeededFuture());
    }
  }
}
