-- Issue 16, point 4: invitations and password resets. An administrator creates an account without
-- inventing a password; its owner sets one through a one-time link sent by mail, as anyone who
-- forgot theirs does. Only the SHA-256 of a link's token is kept, so reading this table gives no
-- way in; a link is used once, expires, and a newer link or a new password ends the older ones.

-- An invited account has no password until its owner sets one (no password: no login).
ALTER TABLE app_user ALTER COLUMN password_hash DROP NOT NULL;

CREATE TABLE set_password_link (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    -- ended without use: a newer link was sent, or the password was set another way
    ended_at    timestamptz
);
CREATE INDEX set_password_link_open ON set_password_link (user_id) WHERE used_at IS NULL AND ended_at IS NULL;
