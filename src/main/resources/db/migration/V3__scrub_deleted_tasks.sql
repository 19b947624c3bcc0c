-- A deleted task keeps only what delta sync needs (id, updated_at, the deletion): its title and notes are
-- cleared at once instead of waiting out tombstoneRetention. The title check therefore applies to live tasks.
ALTER TABLE tasks
    DROP CONSTRAINT tasks_title_check,
    ADD CONSTRAINT tasks_title_check CHECK (deleted_at IS NOT NULL OR char_length(title) BETWEEN 1 AND 200);

UPDATE tasks SET title = '', notes = NULL, due_at = NULL WHERE deleted_at IS NOT NULL;
