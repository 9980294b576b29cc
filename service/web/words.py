"""Words for codes, in the request's language: the one vocabulary every room's pages and templates
use to name categories, populations, provinces, weekdays (``directory_labels``), the workflow codes
of cases, plans and referrals (``vocabulary``, ``words`` in templates), listings' statuses and
choices, roles and kinds of organization."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from search.text import words as text_words
from service import places
from service.auth.models import Role
from service.directory import taxonomy
from service.directory.models import ContactKind, Fee, Gender, OrganizationKind, ServiceStatus, Visibility
from service.reintegration.case_models import (
    CaseStatus,
    CaseType,
    ClosureReason,
    ConsentMethod,
    ConsentPurpose,
    ContactChannel,
    IdentificationStatus,
    RiskLevel,
    Sex,
)
from service.reintegration.follow_up_models import FollowUpMethod
from service.reintegration.plan_models import MilestoneDomain, MilestoneStatus, PlanStatus
from service.reintegration.referral_models import ReferralStatus, Urgency
from service.web.i18n import current, fmt_date
from service.web.i18n import gettext as _

WEEKDAYS = {
    "vi": ["", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"],
    "en": ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def directory_labels() -> dict[str, Any]:
    """Names of the directory's codes in the page's language: categories, populations, provinces,
    weekdays."""
    return _directory_labels(current.get())


@cache
def _directory_labels(locale: str) -> dict[str, Any]:
    # built once per language: the search page asks for them on every keystroke (read-only)
    english = locale == "en"
    return {
        "category": {t.code: t.name_en if english else t.name_vi for t in taxonomy.terms()},
        "population": {str(code): names[1 if english else 0] for code, names in taxonomy.POPULATION_LABELS.items()},
        "province": {p.code: p.name for p in places.provinces()}
        | {"national": "Toàn quốc" if not english else "National"},
        "weekday": WEEKDAYS["en" if english else "vi"],
    }


def role_labels() -> dict[str, str]:
    return {
        Role.PARTNER.value: _("Partner organization"),
        Role.CASEWORKER.value: _("Caseworker"),
        Role.COORDINATOR.value: _("Coordinator"),
        Role.ADMIN.value: _("Administrator"),
    }


def organization_kind_labels() -> dict[str, str]:
    return {
        OrganizationKind.GOVERNMENT.value: _("Government agency"),
        OrganizationKind.MASS_ORGANIZATION.value: _("Mass organization (e.g. Women's Union)"),
        OrganizationKind.NGO.value: _("Non-governmental organization"),
        OrganizationKind.INTERNATIONAL.value: _("International organization"),
        OrganizationKind.SOCIAL_WORK_CENTRE.value: _("Social work centre"),
        OrganizationKind.LEGAL_AID_CENTRE.value: _("Legal aid centre"),
        OrganizationKind.HEALTH_FACILITY.value: _("Health facility"),
        OrganizationKind.VOCATIONAL_SCHOOL.value: _("Vocational school"),
        OrganizationKind.COMMUNITY_GROUP.value: _("Community group"),
    }


def vocabulary() -> dict[str, dict[str, str]]:
    """Names of every workflow code the case, referral, partner inbox and dashboard pages show, in the
    request's language (so built per request); templates know it as ``words``."""
    return {
        "case_type": {
            CaseType.TRAFFICKING_VICTIM: _("Trafficking victim"),
            CaseType.RETURNEE_MIGRANT: _("Returnee migrant"),
            CaseType.GBV_SURVIVOR: _("Survivor of gender-based violence"),
            CaseType.AT_RISK: _("At risk"),
        },
        "identification_status": {
            IdentificationStatus.REPORTED: _("Reported"),
            IdentificationStatus.UNDER_IDENTIFICATION: _("Under identification"),
            IdentificationStatus.IDENTIFIED_VICTIM: _("Identified victim"),
            IdentificationStatus.NOT_IDENTIFIED: _("Not identified"),
        },
        "sex": {Sex.FEMALE: _("Female"), Sex.MALE: _("Male"), Sex.OTHER: _("Other")},
        "risk_level": {RiskLevel.LOW: _("Low"), RiskLevel.MEDIUM: _("Medium"), RiskLevel.HIGH: _("High")},
        "case_status": {CaseStatus.OPEN: _("Open"), CaseStatus.CLOSED: _("Closed")},
        "closure_reason": {
            ClosureReason.GOALS_MET: _("Goals met"),
            ClosureReason.SURVIVOR_WITHDREW: _("Survivor withdrew"),
            ClosureReason.LOST_CONTACT: _("Lost contact"),
            ClosureReason.TRANSFERRED: _("Transferred"),
            ClosureReason.RE_MIGRATED: _("Migrated again"),
            ClosureReason.RE_TRAFFICKED: _("Trafficked again"),
            ClosureReason.DECEASED: _("Deceased"),
            ClosureReason.OTHER: _("Other"),
        },
        "channel": {
            ContactChannel.PHONE: _("Phone"),
            ContactChannel.ZALO: _("Zalo"),
            ContactChannel.SMS: _("SMS"),
            ContactChannel.HOME_VISIT: _("Home visit"),
            ContactChannel.THROUGH_WOMENS_UNION: _("Through the Women's Union"),
        },
        "purpose": {
            ConsentPurpose.REFERRAL: _("Referral"),
            ConsentPurpose.FOLLOW_UP_CONTACT: _("Follow-up contact"),
            ConsentPurpose.DATA_SHARING: _("Data sharing"),
        },
        "consent_method": {
            ConsentMethod.WRITTEN: _("Written"),
            ConsentMethod.VERBAL_WITH_WITNESS: _("Verbal, with a witness"),
        },
        "plan_status": {
            PlanStatus.DRAFT: _("Draft"),
            PlanStatus.PENDING_APPROVAL: _("Waiting for approval"),
            PlanStatus.ACTIVE: _("Active"),
            PlanStatus.UNDER_REVIEW: _("Under review"),
            PlanStatus.CLOSED: _("Closed"),
        },
        "plan_action": {
            "submit": _("Submit for approval"),
            "approve": _("Approve"),
            "send-back": _("Send back"),
            "review": _("Start a review"),
            "close": _("Close the plan"),
            "reopen": _("Reopen the plan"),
        },
        "domain": {
            MilestoneDomain.SAFETY_PROTECTION: _("Safety and protection"),
            MilestoneDomain.ESSENTIAL_NEEDS_SHELTER: _("Essential needs and shelter"),
            MilestoneDomain.HEALTH: _("Health"),
            MilestoneDomain.MENTAL_HEALTH_PSYCHOSOCIAL: _("Mental health and psychosocial support"),
            MilestoneDomain.LEGAL_DOCUMENTS: _("Legal documents"),
            MilestoneDomain.JUSTICE_LEGAL_AID: _("Justice and legal aid"),
            MilestoneDomain.FAMILY_COMMUNITY: _("Family and community"),
            MilestoneDomain.EDUCATION: _("Education"),
            MilestoneDomain.VOCATIONAL_EMPLOYMENT: _("Vocational training and employment"),
            MilestoneDomain.LIVELIHOOD_FINANCE: _("Livelihood and finance"),
            MilestoneDomain.CHILD_CARE_DEPENDANTS: _("Child care and dependants"),
        },
        "dimension": {"economic": _("Economic"), "social": _("Social"), "psychosocial": _("Psychosocial")},
        "milestone_status": {
            MilestoneStatus.PLANNED: _("Planned"),
            MilestoneStatus.IN_PROGRESS: _("In progress"),
            MilestoneStatus.ACHIEVED: _("Achieved"),
            MilestoneStatus.PARTIALLY_ACHIEVED: _("Partially achieved"),
            MilestoneStatus.NOT_ACHIEVED: _("Not achieved"),
            MilestoneStatus.DEFERRED: _("Deferred"),
            MilestoneStatus.CANCELLED: _("Cancelled"),
        },
        "referral_status": {
            ReferralStatus.DRAFT: _("Draft"),
            ReferralStatus.SENT: _("Sent, waiting for an answer"),
            ReferralStatus.ACCEPTED: _("Accepted"),
            ReferralStatus.IN_PROGRESS: _("In progress"),
            ReferralStatus.ON_HOLD: _("On hold"),
            ReferralStatus.DECLINED: _("Declined"),
            ReferralStatus.EXPIRED: _("Expired (not answered in time)"),
            ReferralStatus.COMPLETED: _("Completed"),
            ReferralStatus.VERIFIED: _("Verified with the survivor"),
            ReferralStatus.NOT_COMPLETED: _("Not completed"),
            ReferralStatus.WITHDRAWN: _("Withdrawn"),
        },
        "reason_code": {
            "no_capacity": _("No places free"),
            "not_eligible": _("Not eligible for this service"),
            "out_of_area": _("Outside the service area"),
            "service_unavailable": _("Service not available now"),
            "duplicate": _("Duplicate referral"),
            "couldnt_contact": _("Could not contact the survivor"),
            "survivor_declined": _("The survivor declined"),
            "no_longer_interested": _("No longer interested"),
            "referred_elsewhere": _("Referred elsewhere"),
            "other": _("Other"),
            "consent_withdrawn": _("Consent withdrawn"),
            "none": _("No reason given"),  # the dashboard's count of referrals refused without one
        },
        "referral_action": {
            "accept": _("Accept"),
            "decline": _("Decline"),
            "start": _("Start the service"),
            "hold": _("Put on hold"),
            "resume": _("Resume"),
            "complete": _("Mark completed"),
            "not-complete": _("Could not complete"),
        },
        "urgency": {
            Urgency.EMERGENCY: _("Emergency: answer within 1 day"),
            Urgency.URGENT: _("Urgent: answer within 3 days"),
            Urgency.ROUTINE: _("Routine: answer within 7 days"),
        },
        "follow_up_method": {
            FollowUpMethod.HOME_VISIT: _("Home visit"),
            FollowUpMethod.PHONE: _("Phone call"),
            FollowUpMethod.OFFICE_VISIT: _("Office visit"),
            FollowUpMethod.ONLINE: _("Online"),
        },
        "score": {
            "economic": _("Economic"),
            "social": _("Social"),
            "psychosocial": _("Psychosocial"),
            "composite": _("Overall"),
        },
    }


def verification_label(last_verified_at: datetime | None, stale: bool) -> str:
    """The one wording of a listing's verification, the same on the public page, in search results,
    the partner's listings and the coordinators' queue: never verified, not for 6 months, or when."""
    if last_verified_at is None:
        return _("Never verified")
    if stale:
        return _("Not verified in the last 6 months")
    return _("Verified %(on)s") % {"on": fmt_date(last_verified_at)}


def listing_status_labels() -> dict[str, str]:
    return {
        ServiceStatus.ACTIVE: _("Active"),
        ServiceStatus.TEMPORARILY_CLOSED: _("Temporarily closed"),
        ServiceStatus.INACTIVE: _("Inactive"),
    }


def listing_choice_labels() -> dict[str, dict[str, str]]:
    """The listing form's choices: status, fee, who can see it, kinds of contact, and the sexes a
    listing serves."""
    return {
        "status": listing_status_labels(),
        "fee": {Fee.FREE: _("Free"), Fee.LOW_COST: _("Low cost"), Fee.PAID: _("Paid")},
        "visibility": {
            Visibility.PUBLIC: _("Everyone (public)"),
            Visibility.STAFF: _("Staff only (caseworkers, coordinators)"),
        },
        "contact_kind": {
            ContactKind.HOTLINE: _("Hotline"),
            ContactKind.PHONE: _("Phone"),
            ContactKind.ZALO: _("Zalo"),
            ContactKind.EMAIL: _("Email"),
            ContactKind.FACEBOOK: _("Facebook"),
        },
        "gender": {Gender.FEMALE: _("Female"), Gender.MALE: _("Male"), Gender.NON_BINARY: _("Non-binary")},
    }


# -- countries and languages ---------------------------------------------------------------------
# One table each, (Vietnamese, English), in the order forms list them: where Viet Nam's returnees
# and survivors most often come back from first, then the rest by region. Codes are what the
# records hold (ISO 3166-1 alpha-2; ISO 639-1, or 639-3 for languages of Viet Nam's peoples that
# have no two-letter code).
COUNTRIES: dict[str, tuple[str, str]] = {
    "VN": ("Việt Nam", "Viet Nam"),
    "CN": ("Trung Quốc", "China"),
    "KH": ("Campuchia", "Cambodia"),
    "LA": ("Lào", "Laos"),
    "TH": ("Thái Lan", "Thailand"),
    "MY": ("Malaysia", "Malaysia"),
    "MM": ("Myanmar", "Myanmar"),
    "KR": ("Hàn Quốc", "South Korea"),
    "JP": ("Nhật Bản", "Japan"),
    "TW": ("Đài Loan", "Taiwan"),
    "HK": ("Hồng Kông", "Hong Kong"),
    "MO": ("Ma Cao", "Macao"),
    "SG": ("Singapore", "Singapore"),
    "ID": ("Indonesia", "Indonesia"),
    "PH": ("Philippines", "Philippines"),
    "AE": ("Các Tiểu vương quốc Ả Rập Thống nhất", "United Arab Emirates"),
    "SA": ("Ả Rập Xê Út", "Saudi Arabia"),
    "QA": ("Qatar", "Qatar"),
    "KW": ("Kuwait", "Kuwait"),
    "TR": ("Thổ Nhĩ Kỳ", "Türkiye"),
    "RU": ("Nga", "Russia"),
    "GB": ("Vương quốc Anh", "United Kingdom"),
    "IE": ("Ireland", "Ireland"),
    "DE": ("Đức", "Germany"),
    "FR": ("Pháp", "France"),
    "NL": ("Hà Lan", "Netherlands"),
    "BE": ("Bỉ", "Belgium"),
    "PL": ("Ba Lan", "Poland"),
    "CZ": ("Séc", "Czechia"),
    "RO": ("Romania", "Romania"),
    "US": ("Hoa Kỳ", "United States"),
    "CA": ("Canada", "Canada"),
    "AU": ("Úc", "Australia"),
    "AO": ("Angola", "Angola"),
    "DZ": ("Algeria", "Algeria"),
}

LANGUAGES: dict[str, tuple[str, str]] = {
    "vi": ("Tiếng Việt", "Vietnamese"),
    "en": ("Tiếng Anh", "English"),
    "km": ("Tiếng Khmer", "Khmer"),
    "zh": ("Tiếng Trung", "Chinese"),
    "lo": ("Tiếng Lào", "Lao"),
    "th": ("Tiếng Thái Lan", "Thai"),
    "my": ("Tiếng Myanmar", "Burmese"),
    "ms": ("Tiếng Mã Lai", "Malay"),
    "id": ("Tiếng Indonesia", "Indonesian"),
    "ko": ("Tiếng Hàn", "Korean"),
    "ja": ("Tiếng Nhật", "Japanese"),
    "ru": ("Tiếng Nga", "Russian"),
    "ar": ("Tiếng Ả Rập", "Arabic"),
    "fr": ("Tiếng Pháp", "French"),
    "de": ("Tiếng Đức", "German"),
    "hmn": ("Tiếng H'Mông", "Hmong"),
    "tyz": ("Tiếng Tày", "Tày"),
    "nut": ("Tiếng Nùng", "Nùng"),
    "mtq": ("Tiếng Mường", "Mường"),
    "blt": ("Tiếng Thái (dân tộc Thái)", "Tai Dam"),
    "cjm": ("Tiếng Chăm", "Cham"),
    "rad": ("Tiếng Ê Đê", "Rade"),
    "jra": ("Tiếng Gia Rai", "Jarai"),
    "bdq": ("Tiếng Ba Na", "Bahnar"),
    "sgn": ("Ngôn ngữ ký hiệu", "Sign language"),
}


def country_names() -> dict[str, str]:
    """Code → country name in the page's language, in the table's order (for a list to choose from)."""
    return _names("country", current.get())


def language_names() -> dict[str, str]:
    """Code → language name in the page's language, in the table's order."""
    return _names("language", current.get())


def country_name(code: str | None) -> str:
    """A country's name; a code outside the table is shown as it is (old records stay readable)."""
    return country_names().get(code or "", code or "")


def language_list(codes: list[str] | tuple[str, ...] | None) -> str:
    """Languages' names joined for reading: "Tiếng Việt, Tiếng Khmer"."""
    names = language_names()
    return ", ".join(names.get(code, code) for code in codes or ())


def country_code(text: str) -> str | None:
    """The code of what someone typed: a code ("KH", "kh") or a name in either language, with or
    without marks ("Campuchia", "campuchia", "Cambodia"); None when nothing matches."""
    return _codes("country").get(_key(text))


def language_code(text: str) -> str | None:
    """The code of a typed language: a code ("km"), a name ("Tiếng Khmer", "Khmer", "tieng viet")
    or the name without "Tiếng" ("Việt"); None when nothing matches."""
    return _codes("language").get(_key(text))


_TABLES = {"country": COUNTRIES, "language": LANGUAGES}
# other names people write for a language ("tiếng Campuchia" for Khmer, "tiếng Hoa" for Chinese):
# read back to its code, never shown
_OTHER_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "country": {},
    "language": {"km": ("Campuchia", "Cambodian"), "zh": ("Hoa", "Trung Quốc", "Quan Thoại", "Mandarin")},
}


@cache
def _names(table: str, locale: str) -> dict[str, str]:
    return {code: names[1 if locale == "en" else 0] for code, names in _TABLES[table].items()}


@cache
def _codes(table: str) -> dict[str, str]:
    known = {_key(name): code for code, names in _TABLES[table].items() for name in (code, *names)}
    return {_key(name): code for code, names in _OTHER_NAMES[table].items() for name in names} | known


def _key(text: str) -> str:
    # marks, case, spaces and punctuation don't matter ("H'Mông", "hmong"), nor a leading "Tiếng"
    folded = text_words(text)
    return "".join(folded[1:] if folded[:1] == ["tieng"] else folded)
