-- The number a colleague reaches a staff account on at work (the caseworker a partner calls back
-- about a referral). A work number, never a survivor's: plain, optional, and shaped like the
-- listings' phone numbers (digits with spaces, dots, dashes, brackets, an optional leading +).
ALTER TABLE app_user ADD COLUMN work_phone text;
ALTER TABLE app_user ADD CONSTRAINT app_user_work_phone_shape
    CHECK (work_phone IS NULL OR work_phone ~ '^\+?\(?[0-9][0-9 .()-]{1,22}[0-9]$');
