-- The schema of the SQLite engine after its migration 0002, in PostgreSQL's
-- own types: times are timestamptz (whole milliseconds, as the API exposes
-- them), id lists are text[] and policy statements jsonb, both kept in the
-- order they were written. A later change is a new file, never an edit.

CREATE TABLE organizations (
	id         text PRIMARY KEY,
	name       text NOT NULL,
	created_at timestamptz NOT NULL
);

CREATE TABLE members (
	id         text PRIMARY KEY,
	org_id     text NOT NULL REFERENCES organizations (id),
	email      text NOT NULL,
	first_name text NOT NULL,
	last_name  text NOT NULL,
	role       text NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL
);
-- Emails are unique whatever their case, as SQLite's COLLATE NOCASE makes them.
CREATE UNIQUE INDEX members_org_email ON members (org_id, lower(email));
CREATE INDEX members_org_created ON members (org_id, created_at, id);

CREATE TABLE workspaces (
	id          text PRIMARY KEY,
	org_id      text NOT NULL REFERENCES organizations (id),
	name        text NOT NULL,
	description text NOT NULL,
	owner_id    text NOT NULL REFERENCES members (id),
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL,
	UNIQUE (org_id, name)
);
CREATE INDEX workspaces_org_created ON workspaces (org_id, created_at, id);
CREATE INDEX workspaces_owner ON workspaces (owner_id);

CREATE TABLE workspace_members (
	workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	member_id    text NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	position     integer NOT NULL,
	PRIMARY KEY (workspace_id, member_id)
);
CREATE INDEX workspace_members_member ON workspace_members (member_id);

CREATE TABLE custom_roles (
	id               text PRIMARY KEY,
	org_id           text NOT NULL REFERENCES organizations (id),
	key              text NOT NULL,
	name             text NOT NULL,
	description      text NOT NULL,
	base_permissions text NOT NULL,
	permissions      text[] NOT NULL,
	policy           jsonb NOT NULL,
	created_at       timestamptz NOT NULL,
	updated_at       timestamptz NOT NULL,
	UNIQUE (org_id, key)
);
CREATE INDEX custom_roles_org_created ON custom_roles (org_id, created_at, id);

CREATE TABLE tokens (
	id                     text PRIMARY KEY,
	org_id                 text NOT NULL REFERENCES organizations (id),
	member_id              text NOT NULL REFERENCES members (id),
	name                   text NOT NULL,
	description            text NOT NULL,
	service                boolean NOT NULL,
	role                   text NOT NULL,
	custom_role_ids        text[] NOT NULL,
	inline_role            jsonb NOT NULL,
	permissions            text[] NOT NULL,
	workspace_ids          text[] NOT NULL,
	all_workspaces         boolean NOT NULL,
	excluded_workspace_ids text[] NOT NULL,
	default_api_version    integer NOT NULL,
	expires_at             timestamptz,
	digest                 bytea NOT NULL,
	last_four              text NOT NULL,
	prev_digest            bytea,
	prev_expires_at        timestamptz,
	created_at             timestamptz NOT NULL,
	updated_at             timestamptz NOT NULL,
	last_used_at           timestamptz
);
CREATE UNIQUE INDEX tokens_digest ON tokens (digest);
CREATE INDEX tokens_prev_digest ON tokens (prev_digest) WHERE prev_digest IS NOT NULL;
CREATE INDEX tokens_org_created ON tokens (org_id, created_at, id);
CREATE INDEX tokens_member_created ON tokens (member_id, created_at, id);

-- Mirrors tokens.custom_role_ids so that counting a role's users is an
-- index lookup and a role in use cannot be deleted underneath a token.
CREATE TABLE token_custom_roles (
	token_id text NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
	role_id  text NOT NULL REFERENCES custom_roles (id),
	PRIMARY KEY (token_id, role_id)
);
CREATE INDEX token_custom_roles_role ON token_custom_roles (role_id);

CREATE TABLE idempotency_records (
	key          text PRIMARY KEY,
	request_hash bytea NOT NULL,
	status       integer NOT NULL,
	body         bytea NOT NULL,
	created_at   timestamptz NOT NULL
);
CREATE INDEX idempotency_records_created ON idempotency_records (created_at);

CREATE TABLE audit_events (
	seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id        text NOT NULL UNIQUE,
	org_id    text NOT NULL,
	time      timestamptz NOT NULL,
	action    text NOT NULL,
	member_id text NOT NULL,
	token_id  text NOT NULL,
	target    text NOT NULL,
	detail    text NOT NULL
);
CREATE INDEX audit_events_org_time ON audit_events (org_id, time, seq);

-- Facts every replica must agree on, such as the fingerprint of the pepper.
CREATE TABLE settings (
	name  text PRIMARY KEY,
	value bytea NOT NULL
);
