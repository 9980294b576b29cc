"""API shapes of the directory: listings, organizations, search results, revisions."""

from __future__ import annotations

import enum
import uuid
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from service.fields import (
    Age,
    ClockTime,
    Code,
    Count,
    Email,
    LanguageCode,
    Latitude,
    Longitude,
    Name,
    ShortText,
    Text,
    Timestamp,
    Url,
)


class ServiceStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    TEMPORARILY_CLOSED = "temporarily_closed"


class Fee(enum.StrEnum):
    FREE = "free"
    LOW_COST = "low_cost"
    PAID = "paid"


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    STAFF = "staff"


class Population(enum.StrEnum):
    TRAFFICKING_SURVIVOR = "trafficking_survivor"
    RETURNEE_MIGRANT = "returnee_migrant"
    GBV_SURVIVOR = "gbv_survivor"
    CHILD = "child"
    WOMAN = "woman"
    ETHNIC_MINORITY = "ethnic_minority"
    DISABLED = "disabled"
    LGBTQ = "lgbtq"
    GENERAL = "general"


class Gender(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"


class ContactKind(enum.StrEnum):
    HOTLINE = "hotline"
    PHONE = "phone"
    ZALO = "zalo"
    EMAIL = "email"
    FACEBOOK = "facebook"


class OrganizationKind(enum.StrEnum):
    GOVERNMENT = "government"
    MASS_ORGANIZATION = "mass_organization"
    NGO = "ngo"
    INTERNATIONAL = "international"
    SOCIAL_WORK_CENTRE = "social_work_centre"
    LEGAL_AID_CENTRE = "legal_aid_centre"
    HEALTH_FACILITY = "health_facility"
    VOCATIONAL_SCHOOL = "vocational_school"
    COMMUNITY_GROUP = "community_group"


Weekday = Annotated[int, Meta(ge=1, le=7, description="ISO weekday: 1 = Monday … 7 = Sunday")]
ContactValue = Annotated[str, Meta(min_length=1, max_length=200)]
AreaRef = Annotated[str, Meta(min_length=1, max_length=60, description="province code or name, or 'national'")]
ProvinceRef = Annotated[str, Meta(min_length=1, max_length=60, description="province code, current or former name")]


class LocationIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: ShortText = ""
    street: ShortText = ""
    commune: ShortText = ""
    province_code: ProvinceRef
    lat: Latitude | None = None
    lon: Longitude | None = None
    confidential: bool = False
    accessibility: ShortText = ""


class ContactIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    kind: ContactKind
    value: ContactValue
    hours: ShortText = ""
    is_24_7: bool = False
    languages: Annotated[list[LanguageCode], Meta(max_length=20)] = []


class ScheduleIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    weekday: Weekday
    opens_at: ClockTime
    closes_at: ClockTime


Categories = Annotated[list[Code], Meta(max_length=20)]
Populations = Annotated[list[Population], Meta(max_length=20)]
Languages = Annotated[list[LanguageCode], Meta(max_length=20)]
Documents = Annotated[list[Text], Meta(max_length=30)]  # what a publisher writes of one document can be long
Locations = Annotated[list[LocationIn], Meta(max_length=50)]
Areas = Annotated[list[AreaRef], Meta(max_length=40)]
Contacts = Annotated[list[ContactIn], Meta(max_length=30)]
Schedules = Annotated[list[ScheduleIn], Meta(max_length=50)]


class ServiceCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    organization_id: uuid.UUID
    name: Name
    alternate_name: ShortText | None = None
    description: Text = ""
    status: ServiceStatus = ServiceStatus.ACTIVE
    categories: Categories = []
    populations: Populations = []
    eligibility_description: Text = ""
    min_age: Age | None = None
    max_age: Age | None = None
    genders: Annotated[list[Gender], Meta(max_length=3)] = []
    languages: Languages = []
    fee: Fee = Fee.FREE
    application_process: Text = ""
    required_documents: Documents = []
    accepting_referrals: bool = True
    capacity_total: Count | None = None
    capacity_available: Count | None = None
    visibility: Visibility = Visibility.PUBLIC
    locations: Locations = []
    service_areas: Areas = []
    contacts: Contacts = []
    schedules: Schedules = []


class ServicePatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only the fields sent change; lists given replace the stored lists whole."""

    name: Name | UnsetType = UNSET
    alternate_name: ShortText | None | UnsetType = UNSET
    description: Text | UnsetType = UNSET
    status: ServiceStatus | UnsetType = UNSET
    categories: Categories | UnsetType = UNSET
    populations: Populations | UnsetType = UNSET
    eligibility_description: Text | UnsetType = UNSET
    min_age: Age | None | UnsetType = UNSET
    max_age: Age | None | UnsetType = UNSET
    genders: Annotated[list[Gender], Meta(max_length=3)] | UnsetType = UNSET
    languages: Languages | UnsetType = UNSET
    fee: Fee | UnsetType = UNSET
    application_process: Text | UnsetType = UNSET
    required_documents: Documents | UnsetType = UNSET
    accepting_referrals: bool | UnsetType = UNSET
    capacity_total: Count | None | UnsetType = UNSET
    capacity_available: Count | None | UnsetType = UNSET
    visibility: Visibility | UnsetType = UNSET
    locations: Locations | UnsetType = UNSET
    service_areas: Areas | UnsetType = UNSET
    contacts: Contacts | UnsetType = UNSET
    schedules: Schedules | UnsetType = UNSET


class CapacityUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    available: Count


class Location(msgspec.Struct, kw_only=True, frozen=True):
    """A place a service is delivered; only its province is left when redacted (``rules.redact``)."""

    id: uuid.UUID
    name: str
    street: str | None
    commune: str
    province_code: str
    lat: float | None
    lon: float | None
    confidential: bool
    accessibility: str


class Contact(msgspec.Struct, kw_only=True, frozen=True):
    kind: ContactKind
    value: str
    hours: str
    is_24_7: bool
    languages: list[str]


class Schedule(msgspec.Struct, kw_only=True, frozen=True):
    weekday: int
    opens_at: str
    closes_at: str


class OrganizationRef(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    name: str


class Service(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    organization_id: uuid.UUID
    organization: OrganizationRef
    name: str
    alternate_name: str | None
    description: str
    status: ServiceStatus
    categories: list[str]
    populations: list[str]
    eligibility_description: str
    min_age: int | None
    max_age: int | None
    genders: list[str]
    languages: list[str]
    fee: Fee
    application_process: str
    required_documents: list[str]
    accepting_referrals: bool
    capacity_total: int | None
    capacity_available: int | None
    visibility: Visibility
    locations: list[Location]
    service_areas: list[str]
    contacts: list[Contact]
    schedules: list[Schedule]
    last_verified_at: Timestamp | None
    verified_by: uuid.UUID | None
    # the organization's own "still right" (a listing check-in), apart from a coordinator's verification
    confirmed_at: Timestamp | None = None
    confirmed_by: uuid.UUID | None = None
    stale: bool = False
    version: int
    created_at: Timestamp
    updated_at: Timestamp


class ServiceSummary(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    name: str
    organization: OrganizationRef
    categories: list[str]
    populations: list[str]
    provinces: list[str]
    hotlines: list[str]
    accepting_referrals: bool
    capacity_available: int | None
    last_verified_at: Timestamp | None
    confirmed_at: Timestamp | None = None
    stale: bool
    distance_km: float | None = None


class Facets(msgspec.Struct, kw_only=True, frozen=True):
    category: dict[str, int]
    province: dict[str, int]
    population: dict[str, int]


class Understood(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """What search read in the words typed. ``province``: the province they name (its code), whose
    services and national ones were searched; ``did_you_mean``: the words with slips corrected,
    which were searched too (listings holding the words as typed come first)."""

    province: str | None = None
    did_you_mean: str | None = None


class SearchPage(msgspec.Struct, kw_only=True, frozen=True):
    """The pagination shape plus facets. ``estimated``: a broad query's ``total`` and facet counts
    are estimates from a sample of its matches; ``pageable``: how many results the pages reach."""

    items: list[ServiceSummary]
    total: int
    page: int
    per_page: int
    facets: Facets
    took_ms: float
    estimated: bool
    pageable: int
    understood: Understood = msgspec.field(default_factory=Understood)


class Revision(msgspec.Struct, kw_only=True, frozen=True):
    version: int
    action: str
    actor_id: uuid.UUID | None
    at: Timestamp
    changes: dict[str, list[object]]


class TaxonomyTerm(msgspec.Struct, kw_only=True, frozen=True):
    code: str
    parent_code: str | None
    name_vi: str
    name_en: str


OrgContacts = Annotated[list[ContactIn], Meta(max_length=30)]


class OrganizationCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name
    alternate_name: ShortText | None = None
    description: Text = ""
    kind: OrganizationKind
    parent_id: uuid.UUID | None = None
    email: Email | None = None
    website: Url | None = None
    contacts: OrgContacts = []


class OrganizationPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name | UnsetType = UNSET
    alternate_name: ShortText | None | UnsetType = UNSET
    description: Text | UnsetType = UNSET
    kind: OrganizationKind | UnsetType = UNSET
    parent_id: uuid.UUID | None | UnsetType = UNSET
    email: Email | None | UnsetType = UNSET
    website: Url | None | UnsetType = UNSET
    contacts: OrgContacts | UnsetType = UNSET


class Organization(msgspec.Struct, kw_only=True, frozen=True):
    id: uuid.UUID
    name: str
    alternate_name: str | None
    description: str
    kind: OrganizationKind
    parent_id: uuid.UUID | None
    email: str | None
    website: str | None
    contacts: list[Contact]
    verified_at: Timestamp | None
    version: int
    created_at: Timestamp
    updated_at: Timestamp
