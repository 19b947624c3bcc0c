package dev.bulwark.attachments;

import java.util.UUID;

/** A file written to the blob store by an upload, before it becomes an attachment. */
record StoredFile(
    UUID id, String storageKey, String filename, FileType type, long size, String sha256) {}
