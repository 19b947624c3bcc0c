-- Task attachments. The bytes live in the blob store (storage.backend) under storage_key; the client's
-- filename is metadata only.
CREATE TABLE attachments (
    id              uuid        PRIMARY KEY,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- purging a task's tombstone removes its attachment rows; the orphan sweep then removes their blobs
    task_id         uuid        NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    filename        text        NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 255),
    content_type    text        NOT NULL,
    size            bigint      NOT NULL CHECK (size > 0),
    sha256          text        NOT NULL,
    storage_key     text        NOT NULL UNIQUE,
    idempotency_key text,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX attachments_task_idx ON attachments (task_id);
CREATE INDEX attachments_user_idx ON attachments (user_id);
CREATE UNIQUE INDEX attachments_idempotency_idx ON attachments (user_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- Uploads in progress: each holds one of its user's concurrent-upload slots until it ends or expires,
-- and its blob is left alone by the orphan sweep.
CREATE TABLE attachment_uploads (
    id          uuid        PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    storage_key text        NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX attachment_uploads_user_idx ON attachment_uploads (user_id, expires_at);

-- The task's attachments as its JSON shows them, kept in the same transaction as the rows above, so
-- a list stays one statement with no per-row work.
ALTER TABLE tasks ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]';
