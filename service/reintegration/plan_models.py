"""API shapes of reintegration plans: a plan, its milestones, and the entitlements they cover."""

from __future__ import annotations

import enum
import uuid
from datetime import date

import msgspec
from msgspec import UNSET, UnsetType

from service.fields import Name, Text, Timestamp
from service.reintegration.case_models import ConsentMethod, Note


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    ACTIVE = "active"
    UNDER_REVIEW = "under_review"
    CLOSED = "closed"


class PlanCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    notes: Text = ""


class PlanSubmit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    survivor_agreed_at: Timestamp
    agreement_method: ConsentMethod


class PlanNote(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    note: Note = ""


class MilestoneDomain(enum.StrEnum):
    SAFETY_PROTECTION = "safety_protection"
    ESSENTIAL_NEEDS_SHELTER = "essential_needs_shelter"
    HEALTH = "health"
    MENTAL_HEALTH_PSYCHOSOCIAL = "mental_health_psychosocial"
    LEGAL_DOCUMENTS = "legal_documents"
    JUSTICE_LEGAL_AID = "justice_legal_aid"
    FAMILY_COMMUNITY = "family_community"
    EDUCATION = "education"
    VOCATIONAL_EMPLOYMENT = "vocational_employment"
    LIVELIHOOD_FINANCE = "livelihood_finance"
    CHILD_CARE_DEPENDANTS = "child_care_dependants"


class MilestoneStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    PARTIALLY_ACHIEVED = "partially_achieved"
    NOT_ACHIEVED = "not_achieved"
    DEFERRED = "deferred"
    CANCELLED = "cancelled"


class MilestoneCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    domain: MilestoneDomain
    title: Name
    target_date: date | None = None
    responsible_organization_id: uuid.UUID | None = None


class MilestonePatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    status: MilestoneStatus | UnsetType = UNSET
    title: Name | UnsetType = UNSET
    target_date: date | None | UnsetType = UNSET
    responsible_organization_id: uuid.UUID | None | UnsetType = UNSET
    note: Note | UnsetType = UNSET


class Milestone(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    plan_id: uuid.UUID
    domain: MilestoneDomain
    dimension: str
    title: str
    target_date: date | None
    responsible_organization_id: uuid.UUID | None
    entitlement: str | None
    status: MilestoneStatus
    note: str
    overdue: bool
    created_at: Timestamp
    updated_at: Timestamp


class Plan(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    survivor_id: uuid.UUID
    number: int
    is_current: bool
    status: PlanStatus
    notes: str
    survivor_agreed_at: Timestamp | None
    agreement_method: str | None
    submitted_at: Timestamp | None
    approved_at: Timestamp | None
    approved_by: uuid.UUID | None
    review_note: str | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp
    milestones: list[Milestone] = []


class Entitlement(msgspec.Struct, kw_only=True, frozen=True):
    code: str
    name_vi: str
    name_en: str
    domain: MilestoneDomain
    covered: bool
    milestone_ids: list[uuid.UUID]


class Entitlements(msgspec.Struct, kw_only=True, frozen=True):
    survivor_id: uuid.UUID
    basis: str
    effective_from: date
    items: list[Entitlement]
    basis_vi: str = ""  # ``basis`` in Vietnamese, as the regimes have name_vi beside name_en
