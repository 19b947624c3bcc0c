-- Tasks, version 2: indexes for the list queries, tombstone purge, and idempotent creates.
--
-- The list queries and the index each one uses (every one is scoped by user_id and keyset-paginated on (key, id)):
--   default list, created_at desc/asc ........ tasks_user_created_idx (V1)
--   status filter, created_at ................ tasks_user_status_created_idx
--   sort / filter by due_at .................. tasks_user_due_idx (undated tasks sort as 'infinity': last when ascending)
--   sort by updated_at, delta sync ........... tasks_user_updated_idx (V1; includes tombstones, which sync needs)
-- Priority and q (text search) filter rows read through one of these: priority has three values, and q is bounded
-- by the user's own tasks (the quota), so neither gets an index of its own.

CREATE INDEX tasks_user_status_created_idx
    ON tasks (user_id, status, created_at DESC, id DESC) WHERE deleted_at IS NULL;

CREATE INDEX tasks_user_due_idx
    ON tasks (user_id, (COALESCE(due_at, 'infinity'::timestamptz)), id) WHERE deleted_at IS NULL;

-- The purge finds tombstones past retention without scanning live tasks.
CREATE INDEX tasks_tombstones_idx ON tasks (deleted_at) WHERE deleted_at IS NOT NULL;

-- One row per Idempotency-Key of a user: the hash of the request it was first used with and the exact 201 it got,
-- written in the transaction that created the task (so a retry either sees both or neither).
CREATE TABLE task_idempotency_keys (
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idempotency_key text        NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
    request_hash    bytea       NOT NULL,
    response_status smallint    NOT NULL,
    response_body   text        NOT NULL,
    task_id         uuid        NOT NULL,
    task_version    integer     NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX task_idempotency_keys_created_idx ON task_idempotency_keys (created_at);
