-- A rotated refresh token keeps its child sealed only for the reuse grace window (auth.refreshReuseGrace, at most
-- 5 minutes): past it the seal answers nothing, yet on a family's newest row it is the live token in a form the
-- server can decrypt. The application now erases seals once their window has passed; erase those already past any
-- window, and index the few rows still holding one so that the periodic erasure never scans the table.
UPDATE refresh_tokens SET child_token_sealed = NULL
WHERE child_token_sealed IS NOT NULL AND (consumed_at IS NULL OR consumed_at < now() - interval '5 minutes');

CREATE INDEX refresh_tokens_sealed_idx ON refresh_tokens (consumed_at) WHERE child_token_sealed IS NOT NULL;

COMMENT ON COLUMN refresh_tokens.child_token_sealed IS
    'The child token, AES-GCM sealed, kept only during the reuse grace window after consumed_at; then erased.';
