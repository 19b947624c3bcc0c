-- TOTP second factors (RFC 6238). The secret is AES-GCM-sealed by the application (secret_sealed = nonce || ciphertext,
-- key_id names the key, so keys rotate); last_used_step is the newest time step accepted, and a code is accepted
-- only by the one UPDATE that moves it forward (no replay, even under concurrency). A factor not activated within
-- ten minutes (pending_until) is ignored and purged at the next enrolment.
CREATE TABLE mfa_factors (
    id             uuid        PRIMARY KEY,
    user_id        uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind           text        NOT NULL DEFAULT 'totp' CHECK (kind IN ('totp')),
    key_id         text        NOT NULL,
    secret_sealed  bytea       NOT NULL,
    last_used_step bigint      NOT NULL DEFAULT -1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    pending_until  timestamptz,
    activated_at   timestamptz,
    last_used_at   timestamptz,
    CHECK ((activated_at IS NULL) <> (pending_until IS NULL))
);
CREATE INDEX mfa_factors_user_idx ON mfa_factors (user_id);

-- Recovery codes: only their SHA-256 (a code carries 80 random bits, so a fast hash is enough); used once.
CREATE TABLE mfa_recovery_codes (
    user_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);

-- The second step of a login: the mfa_token (only its SHA-256) names one password-verified login attempt of one
-- user. Five attempts, counted by the UPDATE that reads it; single use (consumed_at); never bound to an address.
CREATE TABLE mfa_challenges (
    token_hash  bytea       PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_name text,
    first_factor text       NOT NULL DEFAULT 'pwd' CHECK (first_factor IN ('pwd', 'sms')),
    attempts    integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    consumed_at timestamptz
);
CREATE INDEX mfa_challenges_expires_idx ON mfa_challenges (expires_at);

-- Failed second factors, for the per-account brake (10 in 15 minutes); rows older than the window are pruned as
-- new ones arrive.
CREATE TABLE mfa_failures (
    user_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    failed_at timestamptz NOT NULL
);
CREATE INDEX mfa_failures_user_idx ON mfa_failures (user_id, failed_at);

-- The assurance a session was established with: refresh keeps it (aal 1 or 2, amr as in RFC 8176), and a session
-- of a role that must enrol but has no factor yet is limited to the enrolment routes.
ALTER TABLE sessions
    ADD COLUMN aal            smallint NOT NULL DEFAULT 1 CHECK (aal IN (1, 2)),
    ADD COLUMN amr            text[]   NOT NULL DEFAULT '{pwd}',
    ADD COLUMN enrolment_only boolean  NOT NULL DEFAULT false;
