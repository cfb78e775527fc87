-- Console passwords (argon2id hashes; empty: none set) and console
-- sessions, which go with their member.
ALTER TABLE members ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';

CREATE TABLE console_sessions (
	digest     BLOB PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES organizations (id),
	member_id  TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	flash      BLOB,
	created_at INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL
);
CREATE INDEX console_sessions_member ON console_sessions (member_id);
