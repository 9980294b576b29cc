-- A follow-up that reached out to a survivor who asked not to be contacted (or gave no live
-- follow-up consent) needs a coordinator's override: who decided, and why (the reason is survivor
-- free text, so only its ciphertext is stored, bound to the follow-up's row and field). A reason
-- needs who gave it; de-identification clears the reason and keeps who overrode.
ALTER TABLE follow_up
    ADD COLUMN contact_override_by uuid REFERENCES app_user (id),
    ADD COLUMN contact_override_reason_enc bytea,
    ADD CONSTRAINT follow_up_override_has_reason
        CHECK (contact_override_reason_enc IS NULL OR contact_override_by IS NOT NULL);
