-- Issue 16: notifications and the mail outbox. Rows are written in the same transaction as the event
-- that causes them (like search_outbox), so a rollback loses both and a commit keeps both; a worker
-- in each replica sends the mail rows. Nothing here names a survivor: a row holds only a kind, a
-- link (log-in required) and a dedupe key that makes one event notify each user once.

-- The language of a user's mail; set from the language they pick on the pages.
ALTER TABLE app_user ADD COLUMN locale text NOT NULL DEFAULT 'vi'
    CONSTRAINT app_user_locale_known CHECK (locale IN ('vi', 'en'));

CREATE TABLE notification (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    link        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    dedupe_key  text NOT NULL,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notification_user_recent ON notification (user_id, created_at DESC);
CREATE INDEX notification_user_unread ON notification (user_id) WHERE read_at IS NULL;

-- A user's choice per kind; no row means the kind's default (service/notify/kinds.py).
CREATE TABLE notification_setting (
    user_id   uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    kind      text NOT NULL,
    delivery  text NOT NULL CHECK (delivery IN ('immediate', 'digest', 'none')),
    PRIMARY KEY (user_id, kind)
);

-- One mail to one user. A digest is one row per user per day (dedupe_key 'digest:<yyyy-mm-dd>')
-- whose body is built at send time from that day's unread notifications set to 'digest'.
CREATE TABLE mail_outbox (
    id               bigserial PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    kind             text NOT NULL,
    link             text NOT NULL,
    dedupe_key       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'dead')),
    last_error       text,
    sent_at          timestamptz,
    message_id       text,
    digest           boolean NOT NULL DEFAULT false,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'queued';
