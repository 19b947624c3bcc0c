package dev.bulwark.attachments;

import dev.bulwark.config.StorageConfig;
import io.vertx.core.Vertx;

/** The blob store {@code storage.backend} names. */
public final class BlobStores {
  private BlobStores() {}

  public static BlobStore create(Vertx vertx, StorageConfig config) {
    return switch (config.backend()) {
      case LOCAL -> new LocalBlobStore(vertx, config.localPath());
      case S3 -> new S3BlobStore(vertx, config.s3());
    };
  }
}
