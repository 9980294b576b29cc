-- After a follow-up the caseworker may schedule the next one. The date is not about the survivor's
-- life (no free text), so it is stored plain; a follow-up is due when its next date has come and no
-- later follow-up of the case was recorded since. The partial index keeps the due lists (the
-- caseworker's to-do list, the dashboard) to the follow-ups that carry a date.
ALTER TABLE follow_up ADD COLUMN next_date date;
ALTER TABLE follow_up ADD CONSTRAINT follow_up_next_after_visit CHECK (next_date IS NULL OR next_date > date);
CREATE INDEX follow_up_next_date_idx ON follow_up (next_date, survivor_id) WHERE next_date IS NOT NULL;
