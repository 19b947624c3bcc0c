-- Tasks, version 11: an optional location per task, and the index for "near a point" lists.
--
-- cube and earthdistance ship with PostgreSQL (contrib) and are trusted extensions since PostgreSQL 13, so the
-- database owner can create them without superuser; btree_gist (also contrib, also trusted) lets the GiST index lead
-- with user_id, so one index serves "this user's tasks within R metres of a point".
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE tasks
    ADD COLUMN lat double precision CHECK (lat BETWEEN -90 AND 90),
    ADD COLUMN lon double precision CHECK (lon BETWEEN -180 AND 180),
    ADD CONSTRAINT tasks_location_both_or_neither CHECK ((lat IS NULL) = (lon IS NULL));

-- The near list: user_id = $1 AND earth_box(point, r) @> ll_to_earth(lat, lon), live located tasks only.
CREATE INDEX tasks_user_location_idx
    ON tasks USING gist (user_id, ll_to_earth(lat, lon)) WHERE deleted_at IS NULL AND lat IS NOT NULL;
