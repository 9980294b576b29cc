"""API shapes of reintegration: cases, consents, plans, milestones, referrals, follow-ups, dashboard."""

from __future__ import annotations

import enum
import uuid
from datetime import date
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from service.fields import LanguageCode, Name, ShortText, Text, Timestamp

CountryCode = Annotated[str, Meta(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]
BirthYear = Annotated[int, Meta(ge=1900, le=2100)]
Summary = Annotated[str, Meta(min_length=1, max_length=2000)]
Note = Annotated[str, Meta(max_length=2000)]


class CaseType(enum.StrEnum):
    TRAFFICKING_VICTIM = "trafficking_victim"
    RETURNEE_MIGRANT = "returnee_migrant"
    GBV_SURVIVOR = "gbv_survivor"
    AT_RISK = "at_risk"


class IdentificationStatus(enum.StrEnum):
    REPORTED = "reported"
    UNDER_IDENTIFICATION = "under_identification"
    IDENTIFIED_VICTIM = "identified_victim"
    NOT_IDENTIFIED = "not_identified"


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class RiskLevel(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ClosureReason(enum.StrEnum):
    GOALS_MET = "goals_met"
    SURVIVOR_WITHDREW = "survivor_withdrew"
    LOST_CONTACT = "lost_contact"
    TRANSFERRED = "transferred"
    RE_MIGRATED = "re_migrated"
    RE_TRAFFICKED = "re_trafficked"
    DECEASED = "deceased"
    OTHER = "other"


class ContactChannel(enum.StrEnum):
    PHONE = "phone"
    ZALO = "zalo"
    SMS = "sms"
    HOME_VISIT = "home_visit"
    THROUGH_WOMENS_UNION = "through_womens_union"


class ContactPreference(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    channel: ContactChannel | None = None
    safe_hours: ShortText | None = None
    do_not_contact: bool = False


class SurvivorCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    case_type: CaseType
    identification_status: IdentificationStatus = IdentificationStatus.REPORTED
    full_name: Name | None = None
    phone: ShortText | None = None
    address: ShortText | None = None
    id_document_number: ShortText | None = None
    sex: Sex | None = None
    birth_year: BirthYear | None = None
    nationality: CountryCode = "VN"
    languages: Annotated[list[LanguageCode], Meta(max_length=10)] = []
    home_province: ShortText | None = None
    home_commune: ShortText | None = None
    returned_from: CountryCode | None = None
    return_date: date | None = None
    risk_level: RiskLevel = RiskLevel.MEDIUM
    contact_preference: ContactPreference = msgspec.field(default_factory=ContactPreference)
    accompanying_child: bool = False
    assigned_caseworker_id: uuid.UUID | None = None


class NameLookup(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """An exact-name search: matched through the blind index, never stored or logged."""

    full_name: Name


class SurvivorPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    case_type: CaseType | UnsetType = UNSET
    identification_status: IdentificationStatus | UnsetType = UNSET
    full_name: Name | None | UnsetType = UNSET
    phone: ShortText | None | UnsetType = UNSET
    address: ShortText | None | UnsetType = UNSET
    id_document_number: ShortText | None | UnsetType = UNSET
    sex: Sex | None | UnsetType = UNSET
    birth_year: BirthYear | None | UnsetType = UNSET
    nationality: CountryCode | UnsetType = UNSET
    languages: Annotated[list[LanguageCode], Meta(max_length=10)] | UnsetType = UNSET
    home_province: ShortText | None | UnsetType = UNSET
    home_commune: ShortText | None | UnsetType = UNSET
    returned_from: CountryCode | None | UnsetType = UNSET
    return_date: date | None | UnsetType = UNSET
    risk_level: RiskLevel | UnsetType = UNSET
    contact_preference: ContactPreference | UnsetType = UNSET
    accompanying_child: bool | UnsetType = UNSET
    assigned_caseworker_id: uuid.UUID | None | UnsetType = UNSET
    status: CaseStatus | UnsetType = UNSET
    closure_reason: ClosureReason | None | UnsetType = UNSET


class Survivor(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    case_code: str
    organization_id: uuid.UUID
    assigned_caseworker_id: uuid.UUID | None
    case_type: CaseType
    identification_status: IdentificationStatus
    full_name: str | None
    phone: str | None
    address: str | None
    id_document_number: str | None
    sex: Sex | None
    birth_year: int | None
    nationality: str
    languages: list[str]
    home_province: str | None
    home_commune: str | None
    returned_from: str | None
    return_date: date | None
    risk_level: RiskLevel
    contact_preference: ContactPreference
    accompanying_child: bool
    status: CaseStatus
    closure_reason: ClosureReason | None
    deidentified_at: Timestamp | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class SurvivorSummary(msgspec.Struct, kw_only=True, frozen=True):
    """A case in a list: no personal identifiers."""

    id: uuid.UUID
    case_code: str
    organization_id: uuid.UUID
    assigned_caseworker_id: uuid.UUID | None
    case_type: CaseType
    identification_status: IdentificationStatus
    home_province: str | None
    risk_level: RiskLevel
    status: CaseStatus
    updated_at: Timestamp


class ConsentPurpose(enum.StrEnum):
    REFERRAL = "referral"
    FOLLOW_UP_CONTACT = "follow_up_contact"
    DATA_SHARING = "data_sharing"


class ConsentMethod(enum.StrEnum):
    WRITTEN = "written"
    VERBAL_WITH_WITNESS = "verbal_with_witness"


class ConsentCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    purpose: ConsentPurpose
    # no default: silence is not consent, so "all partners" (null) has to be said, never assumed
    organization_id: uuid.UUID | None
    method: ConsentMethod
    evidence: Text = ""
    expires_at: Timestamp | None = None


class Consent(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    survivor_id: uuid.UUID
    purpose: ConsentPurpose
    organization_id: uuid.UUID | None
    method: ConsentMethod
    evidence: str
    granted_at: Timestamp
    expires_at: Timestamp | None
    withdrawn_at: Timestamp | None
    live: bool = False


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


class FollowUpMethod(enum.StrEnum):
    HOME_VISIT = "home_visit"
    PHONE = "phone"
    OFFICE_VISIT = "office_visit"
    ONLINE = "online"


class FollowUpCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    date: date
    method: FollowUpMethod
    notes: Text = ""
    indicators: Annotated[dict[str, int], Meta(max_length=100)] = {}
    # a coordinator's reason to contact a survivor who asked not to be (or gave no live follow-up consent)
    contact_override_reason: Text | None = None


class Scores(msgspec.Struct, kw_only=True, frozen=True):
    economic: float | None
    social: float | None
    psychosocial: float | None
    composite: float | None


class FollowUp(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    survivor_id: uuid.UUID
    date: date
    method: FollowUpMethod
    notes: str
    indicators: dict[str, int]
    scores: Scores
    scoring_version: str
    created_at: Timestamp
    contact_override_reason: str | None = None  # why a coordinator let it contact her anyway


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
