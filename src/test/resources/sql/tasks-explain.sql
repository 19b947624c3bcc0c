-- Seeds 1,000,000 tasks (100,000 for one user, 1,000 each for 900 others) and EXPLAINs the three list queries
-- exactly as TaskRepository sends them, on page 1 and 50 pages deep, with custom and generic plans.
-- Run against a database migrated to V2:
--   psql -h 127.0.0.1 -p 55442 -U postgres -d bulwark_explain -f src/test/resources/sql/tasks-explain.sql
\set ON_ERROR_STOP on
\timing on

TRUNCATE tasks, users CASCADE;
INSERT INTO users (id, email, password_hash)
SELECT CASE WHEN n = 0 THEN '00000000-0000-4000-8000-000000000000'::uuid ELSE gen_random_uuid() END,
       'seed' || n || '@example.com', 'x'
FROM generate_series(0, 900) AS n;

-- the heavy user: 100,000 tasks over the last year; ~30 % undated, ~3 % deleted (tombstones)
INSERT INTO tasks (user_id, title, notes, status, priority, due_at, created_at, updated_at, version, deleted_at)
SELECT '00000000-0000-4000-8000-000000000000', 'Task ' || n, CASE WHEN n % 4 = 0 THEN 'notes for ' || n END,
       (ARRAY['todo', 'todo', 'in_progress', 'done', 'todo'])[1 + n % 5],
       (ARRAY['low', 'normal', 'normal', 'high'])[1 + n % 4],
       CASE WHEN n % 10 < 3 THEN NULL ELSE now() + make_interval(days => ((n * 7919) % 400 - 100)::int) END,
       c, c + make_interval(secs => (n * 104729) % 864000), 1 + n % 3,
       CASE WHEN n % 33 = 0 THEN c + make_interval(secs => (n * 104729) % 864000) END
FROM (SELECT n, now() - make_interval(secs => 365 * 86400 * (100000 - n) / 100000.0) AS c
      FROM generate_series(1::bigint, 100000) AS n) s;
-- tombstones carry updated_at = deleted_at
UPDATE tasks SET updated_at = deleted_at WHERE deleted_at IS NOT NULL;

-- 900 other users x 1,000 tasks
INSERT INTO tasks (user_id, title, status, priority, due_at, created_at, updated_at)
SELECT u.id, 'Other ' || n, (ARRAY['todo', 'in_progress', 'done'])[1 + n % 3], 'normal',
       CASE WHEN n % 2 = 0 THEN now() + make_interval(days => (n % 90)::int) END,
       now() - make_interval(secs => n * 30000), now() - make_interval(secs => n * 29000)
FROM users u CROSS JOIN generate_series(1, 1000) AS n
WHERE u.email <> 'seed0@example.com';

VACUUM ANALYZE tasks;
SELECT count(*) AS total_tasks, count(*) FILTER (WHERE user_id = '00000000-0000-4000-8000-000000000000') AS heavy_user
FROM tasks;

-- The statements, as prepared by the server (ListStatement / TaskRepository.SYNC_*)
PREPARE default_first (uuid, int) AS
  SELECT id, title, notes, status, priority, due_at, created_at, updated_at, version, false AS deleted FROM tasks
  WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $2;
PREPARE default_next (uuid, timestamptz, uuid, int) AS
  SELECT id, title, notes, status, priority, due_at, created_at, updated_at, version, false AS deleted FROM tasks
  WHERE user_id = $1 AND deleted_at IS NULL AND (created_at, id) < ($2::timestamptz, $3::uuid)
  ORDER BY created_at DESC, id DESC LIMIT $4;
PREPARE status_next (uuid, text, timestamptz, uuid, int) AS
  SELECT id, title, notes, status, priority, due_at, created_at, updated_at, version, false AS deleted FROM tasks
  WHERE user_id = $1 AND deleted_at IS NULL AND status = $2::text AND (created_at, id) < ($3::timestamptz, $4::uuid)
  ORDER BY created_at DESC, id DESC LIMIT $5;
PREPARE due_next (uuid, timestamptz, timestamptz, uuid, int) AS
  SELECT id, title, notes, status, priority, due_at, created_at, updated_at, version, false AS deleted FROM tasks
  WHERE user_id = $1 AND deleted_at IS NULL AND COALESCE(due_at, 'infinity'::timestamptz) < $2::timestamptz
    AND (COALESCE(due_at, 'infinity'::timestamptz), id) > (COALESCE($3::timestamptz, 'infinity'::timestamptz), $4::uuid)
  ORDER BY COALESCE(due_at, 'infinity'::timestamptz) ASC, id ASC LIMIT $5;
PREPARE sync_first (uuid, timestamptz, int) AS
  SELECT id, title, notes, status, priority, due_at, created_at, updated_at, version, deleted_at IS NOT NULL AS deleted
  FROM tasks WHERE user_id = $1 AND updated_at >= $2::timestamptz ORDER BY updated_at, id LIMIT $3;
PREPARE sync_next (uuid, timestamptz, uuid, int) AS
  SELECT id, title, notes, status, priority, due_at, created_at, updated_at, version, deleted_at IS NOT NULL AS deleted
  FROM tasks WHERE user_id = $1 AND (updated_at, id) > ($2::timestamptz, $3::uuid) ORDER BY updated_at, id LIMIT $4;

-- cursor positions 50 pages (1,000 rows) deep, as the client would hold them
SELECT created_at AS d_at, id AS d_id FROM tasks
 WHERE user_id = '00000000-0000-4000-8000-000000000000' AND deleted_at IS NULL
 ORDER BY created_at DESC, id DESC OFFSET 999 LIMIT 1 \gset
SELECT created_at AS s_at, id AS s_id FROM tasks
 WHERE user_id = '00000000-0000-4000-8000-000000000000' AND deleted_at IS NULL AND status = 'done'
 ORDER BY created_at DESC, id DESC OFFSET 999 LIMIT 1 \gset
SELECT due_at AS u_at, id AS u_id FROM tasks
 WHERE user_id = '00000000-0000-4000-8000-000000000000' AND deleted_at IS NULL AND due_at < now() + interval '200 days'
 ORDER BY COALESCE(due_at, 'infinity'::timestamptz), id OFFSET 999 LIMIT 1 \gset
SELECT updated_at AS y_at, id AS y_id FROM tasks
 WHERE user_id = '00000000-0000-4000-8000-000000000000' AND updated_at >= now() - interval '30 days'
 ORDER BY updated_at, id OFFSET 999 LIMIT 1 \gset
SELECT now() + interval '200 days' AS due_cap, now() - interval '30 days' AS since \gset

\echo '=== 1. default list, page 1 / page 50 ==='
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE default_first('00000000-0000-4000-8000-000000000000', 21);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE default_next('00000000-0000-4000-8000-000000000000', :'d_at', :'d_id', 21);
\echo '=== 2a. filtered list status=done, page 50 ==='
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE status_next('00000000-0000-4000-8000-000000000000', 'done', :'s_at', :'s_id', 21);
\echo '=== 2b. filtered list due_before + sort=due_at, page 50 ==='
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE due_next('00000000-0000-4000-8000-000000000000', :'due_cap', :'u_at', :'u_id', 21);
\echo '=== 3. delta sync updated_since=now-30d, page 1 / page 50 ==='
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE sync_first('00000000-0000-4000-8000-000000000000', :'since', 21);
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE sync_next('00000000-0000-4000-8000-000000000000', :'y_at', :'y_id', 21);

\echo '=== generic plans (what a prepared statement may switch to after five executions) ==='
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE default_next('00000000-0000-4000-8000-000000000000', :'d_at', :'d_id', 21);
EXPLAIN (COSTS OFF) EXECUTE status_next('00000000-0000-4000-8000-000000000000', 'done', :'s_at', :'s_id', 21);
EXPLAIN (COSTS OFF) EXECUTE due_next('00000000-0000-4000-8000-000000000000', :'due_cap', :'u_at', :'u_id', 21);
EXPLAIN (COSTS OFF) EXECUTE sync_next('00000000-0000-4000-8000-000000000000', :'y_at', :'y_id', 21);
