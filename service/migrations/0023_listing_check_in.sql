-- Issue 16, point 3: listing check-ins. A listing not confirmed for a while (KETNOI_CHECK_IN_DAYS)
-- makes the scheduler ask its organization's partners "Is this still right?". A partner's "Still
-- right" is their own confirmation, kept apart from a coordinator's verification (last_verified_at,
-- verified_by): both dates are shown, and the coordinators' queue still goes by theirs.
ALTER TABLE service
    ADD COLUMN confirmed_at timestamptz,
    ADD COLUMN confirmed_by uuid REFERENCES app_user (id) ON DELETE SET NULL;

-- One check-in per listing and cycle: ``since`` is the listing's last word when the check-in
-- began (its last confirmation or verification; its creation if neither ever was), so a cycle never
-- starts twice and a newer confirmation or verification starts the next one. The links in its mails
-- are signed, not stored: answering the check-in (answered_at) is what makes them used.
CREATE TABLE listing_check_in (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    service_id  uuid NOT NULL REFERENCES service (id) ON DELETE CASCADE,
    since       timestamptz NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    answered_at timestamptz,
    answered_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
    CONSTRAINT listing_check_in_once_per_cycle UNIQUE (service_id, since)
);
CREATE INDEX listing_check_in_open ON listing_check_in (service_id) WHERE answered_at IS NULL;
-- the scheduler's scan each tick: listings whose last word is old
CREATE INDEX service_last_word_idx ON service ((coalesce(greatest(last_verified_at, confirmed_at), created_at)));
