-- The SQLite engine's migrations 0003 to 0005 in PostgreSQL's types.

-- Per-token request counts per UTC day (day is the day's midnight UTC),
-- kept for the last 30 days. Rows go with their token.
CREATE TABLE token_usage (
	token_id text        NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
	day      timestamptz NOT NULL,
	count    bigint      NOT NULL,
	PRIMARY KEY (token_id, day)
);
CREATE INDEX token_usage_day ON token_usage (day);

-- Every digest a token has ever held, so that no secret is ever issued
-- twice: a secret a client supplies must not be one that authenticates, or
-- once authenticated, any token (current, reset away or deleted). Rows are
-- never removed; a digest is an HMAC of a random secret and reveals nothing.
CREATE TABLE spent_digests (
	digest bytea PRIMARY KEY
);

INSERT INTO spent_digests (digest) SELECT digest FROM tokens ON CONFLICT DO NOTHING;
INSERT INTO spent_digests (digest) SELECT prev_digest FROM tokens WHERE prev_digest IS NOT NULL ON CONFLICT DO NOTHING;

-- The triggers make the rule hold for every writer of tokens, on every
-- replica: a digest seen before fails the insert or update with a
-- uniqueness violation, which the engine reports as a conflict.
CREATE FUNCTION tokens_spend_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO spent_digests (digest) VALUES (NEW.digest);
	RETURN NULL;
END;
$$;

CREATE TRIGGER tokens_spend_digest_insert AFTER INSERT ON tokens
	FOR EACH ROW EXECUTE FUNCTION tokens_spend_digest();

CREATE TRIGGER tokens_spend_digest_update AFTER UPDATE OF digest ON tokens
	FOR EACH ROW WHEN (NEW.digest IS DISTINCT FROM OLD.digest) EXECUTE FUNCTION tokens_spend_digest();

-- Tokens and custom roles may grant access object by object (object ->
-- none, read_only or read_write), as a JSON object. Existing rows get an
-- empty grant, so nothing gains or loses anything.
ALTER TABLE tokens ADD COLUMN access jsonb NOT NULL DEFAULT '{}';
ALTER TABLE custom_roles ADD COLUMN access jsonb NOT NULL DEFAULT '{}';
