"""API shapes of the dashboard: counts and worklists for a caseload, a tree or an inbox."""

from __future__ import annotations

import uuid
from datetime import date

import msgspec

from service.fields import Timestamp


class NamedCount(msgspec.Struct, kw_only=True, frozen=True):
    key: str
    count: int


class OverdueMilestone(msgspec.Struct, kw_only=True, frozen=True):
    milestone_id: uuid.UUID
    survivor_id: uuid.UUID
    case_code: str
    title: str
    domain: str
    target_date: date


class PastDueReferral(msgspec.Struct, kw_only=True, frozen=True):
    referral_id: uuid.UUID
    survivor_id: uuid.UUID
    case_code: str
    service_name: str
    organization_name: str
    urgency: str
    due_at: Timestamp


class QuietCase(msgspec.Struct, kw_only=True, frozen=True):
    survivor_id: uuid.UUID
    case_code: str
    last_follow_up: date | None


class DueFollowUp(msgspec.Struct, kw_only=True, frozen=True):
    """An open case whose next follow-up, scheduled at its latest one, is due (or overdue)."""

    survivor_id: uuid.UUID
    case_code: str
    next_date: date


class PartnerOutcome(msgspec.Struct, kw_only=True, frozen=True):
    organization_id: uuid.UUID
    organization_name: str
    service_id: uuid.UUID
    service_name: str
    sent: int
    accepted: int
    declined: int
    expired: int
    completed: int
    verified: int
    median_days_to_answer: float | None


class EmergencyOverride(msgspec.Struct, kw_only=True, frozen=True):
    referral_id: uuid.UUID
    case_code: str
    reason: str
    approved_by: uuid.UUID
    at: Timestamp


class Dashboard(msgspec.Struct, kw_only=True, frozen=True):
    """Counts and worklists for a caseload (caseworker), an organization tree (coordinator) or a
    referral inbox (partner: only the inbox and partner outcome fields are filled)."""

    scope: str
    cases_by_status: list[NamedCount] = []
    open_cases_by_province: list[NamedCount] = []
    open_cases_by_type: list[NamedCount] = []
    overdue_milestones: list[OverdueMilestone] = []
    overdue_milestones_total: int = 0
    referrals_past_due: list[PastDueReferral] = []
    referrals_past_due_total: int = 0
    declined_by_reason: list[NamedCount] = []
    not_completed_by_reason: list[NamedCount] = []
    cases_without_follow_up: list[QuietCase] = []
    cases_without_follow_up_total: int = 0
    partner_outcomes: list[PartnerOutcome] = []
    plans_by_status: list[NamedCount] = []
    milestones_by_status: list[NamedCount] = []
    score_distribution: list[NamedCount] = []
    emergency_overrides: list[EmergencyOverride] = []
    inbox_by_status: list[NamedCount] = []
    follow_ups_due: list[DueFollowUp] = []  # within a week or past, soonest first
    follow_ups_due_total: int = 0
