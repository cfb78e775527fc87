-- Times are Unix milliseconds (UTC). Lists and policy statements are JSON
-- text, kept in the order they were written.

CREATE TABLE organizations (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE members (
	id         TEXT PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES organizations (id),
	email      TEXT NOT NULL COLLATE NOCASE,
	first_name TEXT NOT NULL,
	last_name  TEXT NOT NULL,
	role       TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (org_id, email)
);
CREATE INDEX members_org_created ON members (org_id, created_at, id);

CREATE TABLE workspaces (
	id          TEXT PRIMARY KEY,
	org_id      TEXT NOT NULL REFERENCES organizations (id),
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	owner_id    TEXT NOT NULL REFERENCES members (id),
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	UNIQUE (org_id, name)
);
CREATE INDEX workspaces_org_created ON workspaces (org_id, created_at, id);
CREATE INDEX workspaces_owner ON workspaces (owner_id);

CREATE TABLE workspace_members (
	workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
	member_id    TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	position     INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, member_id)
);
CREATE INDEX workspace_members_member ON workspace_members (member_id);

CREATE TABLE custom_roles (
	id               TEXT PRIMARY KEY,
	org_id           TEXT NOT NULL REFERENCES organizations (id),
	key              TEXT NOT NULL,
	name             TEXT NOT NULL,
	description      TEXT NOT NULL,
	base_permissions TEXT NOT NULL,
	policy           TEXT NOT NULL,
	created_at       INTEGER NOT NULL,
	updated_at       INTEGER NOT NULL,
	UNIQUE (org_id, key)
);
CREATE INDEX custom_roles_org_created ON custom_roles (org_id, created_at, id);

CREATE TABLE tokens (
	id                     TEXT PRIMARY KEY,
	org_id                 TEXT NOT NULL REFERENCES organizations (id),
	member_id              TEXT NOT NULL REFERENCES members (id),
	name                   TEXT NOT NULL,
	description            TEXT NOT NULL,
	service                INTEGER NOT NULL,
	role                   TEXT NOT NULL,
	custom_role_ids        TEXT NOT NULL,
	inline_role            TEXT NOT NULL,
	permissions            TEXT NOT NULL,
	workspace_ids          TEXT NOT NULL,
	all_workspaces         INTEGER NOT NULL,
	excluded_workspace_ids TEXT NOT NULL,
	default_api_version    INTEGER NOT NULL,
	expires_at             INTEGER,
	digest                 BLOB NOT NULL,
	last_four              TEXT NOT NULL,
	prev_digest            BLOB,
	prev_expires_at        INTEGER,
	created_at             INTEGER NOT NULL,
	updated_at             INTEGER NOT NULL,
	last_used_at           INTEGER
);
CREATE UNIQUE INDEX tokens_digest ON tokens (digest);
CREATE INDEX tokens_prev_digest ON tokens (prev_digest) WHERE prev_digest IS NOT NULL;
CREATE INDEX tokens_org_created ON tokens (org_id, created_at, id);
CREATE INDEX tokens_member_created ON tokens (member_id, created_at, id);

-- Mirrors tokens.custom_role_ids so that counting a role's users is an
-- index lookup and a role in use cannot be deleted underneath a token.
CREATE TABLE token_custom_roles (
	token_id TEXT NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
	role_id  TEXT NOT NULL REFERENCES custom_roles (id),
	PRIMARY KEY (token_id, role_id)
);
CREATE INDEX token_custom_roles_role ON token_custom_roles (role_id);

CREATE TABLE idempotency_records (
	key          TEXT PRIMARY KEY,
	request_hash BLOB NOT NULL,
	done         INTEGER NOT NULL,
	status       INTEGER NOT NULL,
	body         BLOB,
	created_at   INTEGER NOT NULL
);
CREATE INDEX idempotency_records_created ON idempotency_records (created_at);

CREATE TABLE audit_events (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	id        TEXT NOT NULL UNIQUE,
	org_id    TEXT NOT NULL,
	time      INTEGER NOT NULL,
	action    TEXT NOT NULL,
	member_id TEXT NOT NULL,
	token_id  TEXT NOT NULL,
	target    TEXT NOT NULL,
	detail    TEXT NOT NULL
);
CREATE INDEX audit_events_org_time ON audit_events (org_id, time, seq);
