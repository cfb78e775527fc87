-- Per-token request counts per UTC day, kept for the last 30 days. day is
-- the Unix millisecond time of the day's midnight UTC. Rows go with their
-- token.
CREATE TABLE token_usage (
	token_id TEXT    NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
	day      INTEGER NOT NULL,
	count    INTEGER NOT NULL,
	PRIMARY KEY (token_id, day)
) WITHOUT ROWID;
CREATE INDEX token_usage_day ON token_usage (day);
