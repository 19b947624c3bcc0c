-- Indexes for the retention purge (auth/AuthRetention): each batch finds its oldest rows by index instead of
-- scanning the table.
--
-- Built in the migration's transaction, which blocks writes to these tables while each index builds: seconds on
-- small tables, longer on a large audit_events or refresh_tokens. Not CONCURRENTLY on purpose: every instance
-- migrates at start-up, and a concurrent build waits on the other instances' sessions (Flyway's lock), which can
-- hang or deadlock and leave an invalid index behind. For a large table, build the same index beforehand with
-- CREATE INDEX CONCURRENTLY and the same name (docs/OPERATIONS.md); IF NOT EXISTS then skips it here.

-- audit events by age
CREATE INDEX IF NOT EXISTS audit_events_occurred_idx ON audit_events (occurred_at);

-- sessions by the moment they ended: revoked, or else expired (LEAST ignores a NULL revoked_at)
CREATE INDEX IF NOT EXISTS sessions_ended_idx ON sessions ((LEAST(revoked_at, expires_at)));

-- consumed refresh tokens by when they were consumed
CREATE INDEX IF NOT EXISTS refresh_tokens_consumed_idx ON refresh_tokens (consumed_at) WHERE consumed_at IS NOT NULL;
