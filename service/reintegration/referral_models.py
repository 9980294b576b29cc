"""API shapes of referrals: a referral, its steps and history, and the services matched for a case."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import Meta

from service.fields import Timestamp
from service.reintegration.case_models import Note

Summary = Annotated[str, Meta(min_length=1, max_length=2000)]


class Urgency(enum.StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"


class ReferralStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    DECLINED = "declined"
    EXPIRED = "expired"
    COMPLETED = "completed"
    VERIFIED = "verified"
    NOT_COMPLETED = "not_completed"
    WITHDRAWN = "withdrawn"


class ReferralCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    survivor_id: uuid.UUID
    service_id: uuid.UUID
    milestone_id: uuid.UUID | None = None
    urgency: Urgency = Urgency.ROUTINE
    shared_summary: Summary
    emergency_override_reason: Note | None = None


class TransitionRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason_code: Annotated[str, Meta(max_length=40)] | None = None
    note: Note = ""


class ReferralEvent(msgspec.Struct, kw_only=True, frozen=True):
    from_status: str | None
    to_status: str
    actor_id: uuid.UUID | None
    at: Timestamp
    reason_code: str | None
    note: str


class Referral(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    survivor_id: uuid.UUID | None  # hidden from the receiving partner
    case_code: str | None  # hidden from the receiving partner
    milestone_id: uuid.UUID | None
    service_id: uuid.UUID
    service_name: str
    receiving_organization_id: uuid.UUID
    referring_organization_id: uuid.UUID
    urgency: Urgency
    shared_summary: str | None  # None once the partner's access has ended
    # the receiver may see and act on it: a live referral consent covers it (worked out at every
    # read), or an emergency override the survivor has not since overruled by withdrawing consent
    sharing_live: bool
    status: ReferralStatus
    reason_code: str | None
    emergency_override: bool
    sent_at: Timestamp | None
    due_at: Timestamp | None
    overdue: bool
    responded_at: Timestamp | None
    completed_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    history: list[ReferralEvent] = []


class Match(msgspec.Struct, kw_only=True, frozen=True):
    service_id: uuid.UUID
    name: str
    organization_id: uuid.UUID
    organization_name: str
    categories: list[str]
    score: float
    reasons: list[str]
    distance_km: float | None
    accepting_referrals: bool
    capacity_available: int | None
    consent_on_file: bool
