-- Which credential acted, on every audit entry from now on: the bearer token or the browser
-- session. Entries written before stay as they were (both NULL) and their hashes still hold.
ALTER TABLE web_session ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX web_session_id_key ON web_session (id);
ALTER TABLE audit_log ADD COLUMN token_id uuid, ADD COLUMN session_id uuid;
