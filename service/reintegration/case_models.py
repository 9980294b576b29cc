"""API shapes of a case: the survivor's record, its summary in lists, and her consents."""

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
# a caseworker's or partner's note on a plan, milestone or referral step
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


class CaseHeading(msgspec.Struct, kw_only=True, frozen=True):
    """What every answer about a case starts with, in this order: which case, whose it is and what
    kind. Survivor (the whole case) and SurvivorSummary (a row of the case list) go on from here."""

    id: uuid.UUID
    case_code: str
    organization_id: uuid.UUID
    assigned_caseworker_id: uuid.UUID | None
    case_type: CaseType
    identification_status: IdentificationStatus


class Survivor(CaseHeading, kw_only=True, frozen=True):
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
    # the province merged away in 2025 that home_province was given as (Sóc Trăng for Cần Thơ), if so
    home_former_province: str | None = None


class SurvivorSummary(CaseHeading, kw_only=True, frozen=True):
    """A case in a list: no personal identifiers."""

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
