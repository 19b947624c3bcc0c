-- Roles and account status, version 7.
--
-- users.role names one of the deployment's roles (config auth.roles, lowest first: user, staff, admin by default;
-- a deployment may call them citizen, officer, admin). The names live in the lookup table roles, which the
-- application fills from its configuration at start-up (and the admin command before it writes); the foreign key
-- keeps any other value out. Renaming a role of a deployment that has accounts: UPDATE roles SET name = 'new'
-- WHERE name = 'old' (the change cascades to users), then change auth.roles.
CREATE TABLE roles (
    name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,31}$')
);
INSERT INTO roles (name) VALUES ('user'), ('staff'), ('admin');

ALTER TABLE users
    ADD COLUMN role        text        NOT NULL DEFAULT 'user' REFERENCES roles (name) ON UPDATE CASCADE,
    ADD COLUMN disabled_at timestamptz;
-- The application names the role of every account it creates (the configured lowest role); the column default only
-- fills the rows that existed before and those written by hand (scripts, seeding).

-- The administration list: newest first, keyset on (created_at, id); filters on role and email prefix.
CREATE INDEX users_created_idx ON users (created_at DESC, id DESC);
CREATE INDEX users_role_created_idx ON users (role, created_at DESC, id DESC);
CREATE INDEX users_email_prefix_idx ON users (email text_pattern_ops);

-- The audit trail read by administrators, newest first, keyset on id.
CREATE INDEX audit_events_user_id_idx ON audit_events (user_id, id DESC);
CREATE INDEX audit_events_type_id_idx ON audit_events (event_type, id DESC);
