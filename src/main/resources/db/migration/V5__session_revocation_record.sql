-- Revocation, version 5: PostgreSQL is the record of every revocation, Redis its fast copy.
--
-- While Redis cannot answer, the gate checks an access token against its session here: revoked_at (logout, logout-all,
-- session deletion, refresh-token reuse, the session limit) and access_not_before. Password change keeps its own
-- session but revokes that session's older access tokens: access_not_before holds the stamp (epoch seconds; tokens
-- issued before it are revoked), the same value the per-user not-before marker carries in Redis.
ALTER TABLE sessions ADD COLUMN access_not_before bigint;

-- When Redis answers again, the revocations of the last access-token lifetime are written back to it: these find them
-- without reading live sessions.
CREATE INDEX sessions_revoked_at_idx ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX sessions_access_not_before_idx ON sessions (access_not_before) WHERE access_not_before IS NOT NULL;
