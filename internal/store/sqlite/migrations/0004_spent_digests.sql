-- Every digest a token has ever held, so that no secret is ever issued
-- twice: a secret a client supplies must not be one that authenticates, or
-- once authenticated, any token (current, reset away or deleted). Rows are
-- never removed; a digest is an HMAC of a random secret and reveals nothing.
CREATE TABLE spent_digests (
	digest BLOB PRIMARY KEY
) WITHOUT ROWID;

INSERT OR IGNORE INTO spent_digests (digest) SELECT digest FROM tokens;
INSERT OR IGNORE INTO spent_digests (digest) SELECT prev_digest FROM tokens WHERE prev_digest IS NOT NULL;

-- The triggers make the rule hold for every writer of tokens: a digest seen
-- before fails the insert or update with a uniqueness conflict.
CREATE TRIGGER tokens_spend_digest_insert AFTER INSERT ON tokens
BEGIN
	INSERT INTO spent_digests (digest) VALUES (NEW.digest);
END;

CREATE TRIGGER tokens_spend_digest_update AFTER UPDATE OF digest ON tokens
	WHEN NEW.digest IS NOT OLD.digest
BEGIN
	INSERT INTO spent_digests (digest) VALUES (NEW.digest);
END;
