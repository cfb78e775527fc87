-- Tokens and custom roles may grant access object by object (object ->
-- none, read_only or read_write), stored as a JSON object. Existing rows
-- get an empty grant, so nothing gains or loses anything.
ALTER TABLE tokens ADD COLUMN access TEXT NOT NULL DEFAULT '{}';
ALTER TABLE custom_roles ADD COLUMN access TEXT NOT NULL DEFAULT '{}';
