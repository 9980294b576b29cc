-- A referral's reason is a code, never words: the receiving partner reads it, and de-identification
-- keeps it. The API accepted any short text where a step takes no list of reasons, so text that
-- slipped in that way (an address, a phone) becomes 'other' before the codes are enforced.
-- The list is workflow.py's DECLINE_REASONS, NOT_COMPLETED_REASONS and WITHDRAW_REASONS, and
-- CONSENT_WITHDRAWN.
UPDATE referral SET reason_code = 'other'
WHERE reason_code IS NOT NULL AND reason_code NOT IN (
    'no_capacity', 'not_eligible', 'out_of_area', 'service_unavailable', 'duplicate', 'other',
    'couldnt_contact', 'survivor_declined', 'no_longer_interested', 'referred_elsewhere', 'consent_withdrawn');
UPDATE referral_event SET reason_code = 'other'
WHERE reason_code IS NOT NULL AND reason_code NOT IN (
    'no_capacity', 'not_eligible', 'out_of_area', 'service_unavailable', 'duplicate', 'other',
    'couldnt_contact', 'survivor_declined', 'no_longer_interested', 'referred_elsewhere', 'consent_withdrawn');

ALTER TABLE referral ADD CONSTRAINT referral_reason_is_a_code CHECK (reason_code IN (
    'no_capacity', 'not_eligible', 'out_of_area', 'service_unavailable', 'duplicate', 'other',
    'couldnt_contact', 'survivor_declined', 'no_longer_interested', 'referred_elsewhere', 'consent_withdrawn'));
ALTER TABLE referral_event ADD CONSTRAINT referral_event_reason_is_a_code CHECK (reason_code IN (
    'no_capacity', 'not_eligible', 'out_of_area', 'service_unavailable', 'duplicate', 'other',
    'couldnt_contact', 'survivor_declined', 'no_longer_interested', 'referred_elsewhere', 'consent_withdrawn'));
