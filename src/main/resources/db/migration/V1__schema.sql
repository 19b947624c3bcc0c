-- Bulwark schema, version 1: accounts, sessions, refresh tokens, tasks, audit events.
-- Ids exposed to clients are UUIDs; every timestamp is timestamptz (UTC on the wire).

CREATE TABLE users (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email               text        NOT NULL,
    password_hash       text        NOT NULL,
    display_name        text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_lowercase CHECK (email = lower(email)),
    CONSTRAINT users_email_key UNIQUE (email)
);

-- A session is one login on one device: the family of its refresh tokens.
CREATE TABLE sessions (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_name   text,
    user_agent    text,
    ip            text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    revoke_reason text
);
CREATE INDEX sessions_user_active_idx ON sessions (user_id, created_at) WHERE revoked_at IS NULL;

-- Opaque refresh tokens, stored only as SHA-256 hashes. A token is consumed once; its child replaces it.
-- child_token_sealed holds the child encrypted (AES-GCM) so a retry within the grace window gets the same child.
CREATE TABLE refresh_tokens (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id         uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash         bytea       NOT NULL,
    parent_id          uuid        REFERENCES refresh_tokens (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    consumed_at        timestamptz,
    child_token_sealed bytea,
    CONSTRAINT refresh_tokens_hash_key UNIQUE (token_hash)
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id, created_at DESC);
CREATE INDEX refresh_tokens_parent_idx ON refresh_tokens (parent_id);

CREATE TABLE tasks (
    id         uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      text        NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    notes      text        CHECK (notes IS NULL OR char_length(notes) <= 10000),
    status     text        NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done')),
    priority   text        NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high')),
    due_at     timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    integer     NOT NULL DEFAULT 1,
    deleted_at timestamptz
);
-- The default list (newest first) and delta sync (everything changed since, tombstones included).
CREATE INDEX tasks_user_created_idx ON tasks (user_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX tasks_user_updated_idx ON tasks (user_id, updated_at, id);

CREATE TABLE audit_events (
    id          bigserial   PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    event_type  text        NOT NULL,
    user_id     uuid        REFERENCES users (id) ON DELETE SET NULL,
    session_id  uuid,
    ip          text,
    request_id  text,
    details     jsonb       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, occurred_at DESC);
CREATE INDEX audit_events_type_idx ON audit_events (event_type, occurred_at DESC);
