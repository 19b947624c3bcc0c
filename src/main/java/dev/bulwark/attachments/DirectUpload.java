package dev.bulwark.attachments;

import java.time.Instant;
import java.util.UUID;

/** A direct-to-S3 upload: what the client declared, and the key its presigned PUT writes. */
record DirectUpload(
    UUID id,
    UUID userId,
    UUID taskId,
    UUID attachmentId,
    String storageKey,
    String filename,
    String contentType,
    long size,
    String sha256,
    Instant expiresAt) {}
