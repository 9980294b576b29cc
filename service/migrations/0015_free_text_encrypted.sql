-- Survivor free text encrypted at rest, like the identifiers (issue 13, point 9): each text gets a
-- bytea column holding its AES-GCM ciphertext, bound to its row and field. The ciphers need the
-- data key, which SQL does not have: at the step marked below, the migration runner encrypts every
-- existing clear text in batches (service/reintegration/free_text.py) inside this migration's
-- transaction, under the migration lock; then the clear columns go. Replicas starting together wait
-- on the lock and find the migration done.
ALTER TABLE survivor ADD COLUMN home_commune_enc bytea, ADD COLUMN contact_safe_hours_enc bytea;
ALTER TABLE consent ADD COLUMN evidence_enc bytea;
ALTER TABLE plan ADD COLUMN notes_enc bytea, ADD COLUMN review_note_enc bytea;
ALTER TABLE milestone ADD COLUMN title_enc bytea, ADD COLUMN note_enc bytea;
ALTER TABLE referral ADD COLUMN shared_summary_enc bytea, ADD COLUMN emergency_reason_enc bytea;
ALTER TABLE referral_event ADD COLUMN note_enc bytea;
ALTER TABLE follow_up ADD COLUMN notes_enc bytea;

-- Filling the new columns changes no count: the dashboard's triggers sit the step out.
ALTER TABLE survivor DISABLE TRIGGER dashboard_survivor_updated;
ALTER TABLE plan DISABLE TRIGGER dashboard_plan_updated;
ALTER TABLE milestone DISABLE TRIGGER dashboard_milestone_updated;
ALTER TABLE referral DISABLE TRIGGER dashboard_referral_updated;
ALTER TABLE follow_up DISABLE TRIGGER dashboard_follow_up_updated;

-- ketnoi:step encrypt-free-text

ALTER TABLE survivor ENABLE TRIGGER dashboard_survivor_updated;
ALTER TABLE plan ENABLE TRIGGER dashboard_plan_updated;
ALTER TABLE milestone ENABLE TRIGGER dashboard_milestone_updated;
ALTER TABLE referral ENABLE TRIGGER dashboard_referral_updated;
ALTER TABLE follow_up ENABLE TRIGGER dashboard_follow_up_updated;

ALTER TABLE survivor DROP COLUMN home_commune, DROP COLUMN contact_safe_hours;
ALTER TABLE consent DROP COLUMN evidence;
ALTER TABLE plan DROP COLUMN notes, DROP COLUMN review_note;
ALTER TABLE milestone DROP COLUMN title, DROP COLUMN note;
ALTER TABLE referral DROP COLUMN shared_summary, DROP COLUMN emergency_reason;
ALTER TABLE referral_event DROP COLUMN note;
ALTER TABLE follow_up DROP COLUMN notes;

-- Case codes no longer count (point 12): one counter per province and year across all
-- organizations let anyone read others' caseloads off the gaps between their own codes. Codes are
-- now random (service/reintegration/rules.py); the codes already given stay as they are.
DROP TABLE case_counter;
