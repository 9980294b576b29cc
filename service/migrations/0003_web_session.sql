-- Browser sessions: the cookie holds a random token, the database only its SHA-256.
CREATE TABLE web_session (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_session_user_idx ON web_session (user_id);
CREATE INDEX web_session_expires_idx ON web_session (expires_at);
