-- Out-of-band messages (mail, SMS) and the deferred work that produces them, written in the same transaction as the
-- state that caused them and delivered by the outbox sender. A row is claimed by pushing next_attempt_at forward
-- (a lease), so a crashed sender's rows come due again; body is cleared once sent or expired, so one-time codes
-- and links do not outlive their delivery.
CREATE TABLE outbound_messages (
    id              bigserial   PRIMARY KEY,
    kind            text        NOT NULL,
    recipient       text        NOT NULL,
    subject         text,
    body            text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    sent_at         timestamptz,
    expired_at      timestamptz
);
CREATE INDEX outbound_messages_due_idx ON outbound_messages (next_attempt_at)
    WHERE sent_at IS NULL AND expired_at IS NULL;
CREATE INDEX outbound_messages_unsent_age_idx ON outbound_messages (created_at)
    WHERE sent_at IS NULL AND expired_at IS NULL;
-- the purge of settled messages (outbox.retention)
CREATE INDEX outbound_messages_settled_idx ON outbound_messages ((coalesce(sent_at, expired_at)))
    WHERE sent_at IS NOT NULL OR expired_at IS NOT NULL;

ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- Single-use tokens sent by email (verification, password reset): only their SHA-256 is kept.
CREATE TABLE email_tokens (
    token_hash bytea       PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text        NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    email      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose) WHERE used_at IS NULL;
CREATE INDEX email_tokens_expires_idx ON email_tokens (expires_at);

-- Phone sign-in: a proven mobile number in E.164. A phone-only account has no email (and an unusable random
-- password), so email becomes optional; UNIQUE still holds among the accounts that have one.
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ADD COLUMN phone text;
ALTER TABLE users ADD COLUMN phone_verified_at timestamptz;
ALTER TABLE users ADD CONSTRAINT users_phone_key UNIQUE (phone);
