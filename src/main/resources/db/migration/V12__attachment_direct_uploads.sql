-- Direct-to-S3 uploads (POST /api/v1/tasks/{id}/attachments/uploads): what the client declared and was given a
-- presigned PUT for. The object's key is u/<user>/<attachment_id>; completing the upload verifies the object and
-- creates the attachment with that id, so completing again finds it. (attachment_uploads, from V10, holds the
-- slots of streamed uploads.) Rows past expires_at are removed, with their object unless an attachment holds
-- it, by the orphan sweep.
CREATE TABLE attachment_direct_uploads (
    id              uuid        PRIMARY KEY,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    task_id         uuid        NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    attachment_id   uuid        NOT NULL UNIQUE,
    storage_key     text        NOT NULL UNIQUE,
    filename        text        NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 255),
    content_type    text        NOT NULL,
    size            bigint      NOT NULL CHECK (size > 0),
    sha256          text        NOT NULL,
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX attachment_direct_uploads_expiry_idx ON attachment_direct_uploads (expires_at);
