-- Issue 16, point 1: a notification says what it is about in the directory's own words (the
-- listing a referral went to, the listing a check-in asks about), so a partner with several
-- listings or a caseworker with several referrals knows which one before opening it. Never anything
-- of the case: no name, contact, case code or free text; mail never carries it (kind and link only).
ALTER TABLE notification ADD COLUMN about text NOT NULL DEFAULT '';
