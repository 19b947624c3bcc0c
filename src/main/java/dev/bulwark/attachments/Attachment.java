package dev.bulwark.attachments;

import java.util.UUID;

/** One stored attachment, with its JSON as the API shows it ({@code json}, built by SQL). */
record Attachment(
    UUID id,
    UUID taskId,
    String filename,
    String contentType,
    long size,
    String sha256,
    String storageKey,
    String json) {

  /** The {@code ETag}: the stored bytes' SHA-256, which names them exactly. */
  String etag() {
    return "\"" + sha256 + "\"";
  }
}
