-- Console passwords (argon2id hashes; empty: none set) and console
-- sessions, which go with their member. Sessions live in the database so
-- that every replica honours them and a sign-out ends them everywhere.
ALTER TABLE members ADD COLUMN password_hash text NOT NULL DEFAULT '';

CREATE TABLE console_sessions (
	digest     bytea PRIMARY KEY,
	org_id     text NOT NULL REFERENCES organizations (id),
	member_id  text NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	csrf       text NOT NULL,
	flash      bytea,
	created_at timestamptz NOT NULL,
	last_seen  timestamptz NOT NULL
);
CREATE INDEX console_sessions_member ON console_sessions (member_id);
