-- Indexes for the dashboard at scale (measured by bench/ at 50,000 cases, 500,000 milestones,
-- 200,000 referrals): each lets one of its statements read a narrow index instead of a table.

-- milestones by status over the current plans in scope: an index-only scan of (plan, status)
DROP INDEX milestone_plan_idx;
CREATE INDEX milestone_plan_idx ON milestone (plan_id) INCLUDE (status);

-- each case's latest follow-up score, newest first per case, without sorting them all;
-- also serves "last follow-up" (max(date) per case)
DROP INDEX follow_up_survivor_idx;
CREATE INDEX follow_up_survivor_idx ON follow_up (survivor_id, date DESC, created_at DESC) INCLUDE (composite);

-- partner outcomes: the median days to answer of one listing's referrals
CREATE INDEX referral_service_idx ON referral (service_id);

-- coded reasons of declined and not-completed referrals
CREATE INDEX referral_reason_idx ON referral (status, reason_code) INCLUDE (survivor_id)
    WHERE status IN ('declined', 'not_completed');

-- the emergency overrides, newest first
CREATE INDEX referral_emergency_idx ON referral (created_at DESC) WHERE emergency_approved_by IS NOT NULL;
