"""Reintegration tracking: survivor cases, consent, plans, milestones, referrals, follow-ups."""
