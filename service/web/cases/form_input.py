"""Words and pure presentation helpers of the case and referral pages: the names of every code in
the request's language, what to say next to a refused form field, turning typed text into API
shapes, and the geometry of the follow-up chart. Nothing here touches the database or the request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from service.clock import LOCAL_TZ
from service.reintegration.models import (
    CaseStatus,
    CaseType,
    ClosureReason,
    ConsentMethod,
    ConsentPurpose,
    ContactChannel,
    FollowUp,
    FollowUpMethod,
    IdentificationStatus,
    MilestoneDomain,
    MilestoneStatus,
    PlanStatus,
    ReferralStatus,
    RiskLevel,
    Sex,
    Urgency,
)
from service.web import forms
from service.web.forms import Errors
from service.web.i18n import current
from service.web.i18n import gettext as _

T = TypeVar("T")


# -- words in the page's language ------------------------------------------------------------------


def vocabulary() -> dict[str, dict[str, str]]:
    """Names of every code these pages show, in the request's language (so built per request)."""
    return {
        "case_type": {
            CaseType.TRAFFICKING_VICTIM: _("Trafficking victim"),
            CaseType.RETURNEE_MIGRANT: _("Returnee migrant"),
            CaseType.GBV_SURVIVOR: _("Gender-based violence survivor"),
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
            ReferralStatus.EXPIRED: _("Expired: no answer in time"),
            ReferralStatus.COMPLETED: _("Completed"),
            ReferralStatus.VERIFIED: _("Verified with the survivor"),
            ReferralStatus.NOT_COMPLETED: _("Not completed"),
            ReferralStatus.WITHDRAWN: _("Withdrawn"),
        },
        "reason_code": {
            "no_capacity": _("No capacity"),
            "not_eligible": _("Not eligible"),
            "out_of_area": _("Out of area"),
            "service_unavailable": _("Service unavailable"),
            "duplicate": _("Duplicate"),
            "couldnt_contact": _("Could not contact"),
            "survivor_declined": _("Survivor declined"),
            "no_longer_interested": _("No longer interested"),
            "referred_elsewhere": _("Referred elsewhere"),
            "other": _("Other"),
            "consent_withdrawn": _("Consent withdrawn"),
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


def english() -> bool:
    return current.get() == "en"


# -- forms: text in, API shapes out, errors next to their fields -----------------------------------


def hints() -> dict[str, str]:
    """What to say next to a field of these forms whose value the API shapes refuse."""
    expected = {
        "birth_year": _("a year between 1900 and 2100, such as 2001"),
        "nationality": _("two capital letters, such as VN"),
        "returned_from": _("two capital letters, such as CN"),
        "languages": _("language codes separated by commas, such as vi, km"),
        "return_date": _("a date"),
        "target_date": _("a date"),
        "expires_at": _("a date"),
        "fu_date": _("a date"),
        "survivor_agreed_at": _("a date and time"),
        "title": _("1 to 200 characters"),
        "full_name": _("1 to 200 characters"),
        "shared_summary": _("1 to 2000 characters"),
    }
    return {name: _("Check this value: %(hint)s") % {"hint": hint} for name, hint in expected.items()}


def convert(data: dict[str, Any], shape: type[T], rename: Mapping[str, str]) -> tuple[T | None, Errors]:
    """``forms.convert`` with these pages' hints."""
    return forms.convert(
        data,
        shape,
        rename=rename,
        hints=hints(),
        fallback=_("Check this value: %(hint)s") % {"hint": _("choose or type a valid value")},
    )


def present(values: Mapping[str, str], *names: str) -> dict[str, str]:
    """The named fields that were filled in: a blank field means "not given", not an empty string."""
    return {name: values[name] for name in names if values.get(name)}


def local_datetime(value: str, *, end_of_day: bool = False) -> str:
    """A date (or date and time) typed in Viet Nam as an ISO timestamp with its offset; text that
    is neither is passed on unchanged so the conversion reports it next to its field."""
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value)
            return (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)).isoformat()
        day = date.fromisoformat(value)
    except ValueError:
        return value
    if end_of_day:  # valid through the whole day typed
        return datetime.combine(day + timedelta(days=1), time.min, LOCAL_TZ).isoformat()
    return datetime.combine(day, time.min, LOCAL_TZ).isoformat()


def blanks(values: Mapping[str, str]) -> defaultdict[str, str]:
    """Form values for a template: a field never filled in reads as empty, not undefined."""
    return defaultdict(str, values)


def checked(values: Mapping[str, str], name: str) -> bool:
    return values.get(name, "") in ("on", "true", "1")


# -- the follow-up chart ---------------------------------------------------------------------------

# A server-drawn SVG, no script; each series has its own dash and marker so that colour is never
# the only difference.
CHART_WIDTH, CHART_HEIGHT = 560, 240
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 48, 44, 16, 40
SERIES = (
    ("economic", "#0b5cad", ""),
    ("social", "#0a6b2c", "6 4"),
    ("psychosocial", "#8a1c00", "2 3"),
    ("composite", "#1b1b1f", "10 3 2 3"),
)


@dataclass
class Series:
    key: str
    colour: str
    dash: str
    points: list[tuple[float, float]]

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points)


@dataclass
class ScoreChart:
    """The follow-up scores over time as lines (unlike charts.BarChart, the dashboard's bars)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    series: list[Series]
    ticks: list[tuple[float, date]]
    levels: list[tuple[float, int]]


def score_chart(follow_ups: list[FollowUp]) -> ScoreChart | None:
    """Scores (0-1) over time, dates spaced by their real distance apart."""
    if not follow_ups:
        return None
    plot_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    first, last = follow_ups[0].date, follow_ups[-1].date
    span = (last - first).days

    def x_of(day: date) -> float:
        return round(CHART_LEFT + (plot_w * (day - first).days / span if span else plot_w / 2), 1)

    def y_of(value: float) -> float:
        return round(CHART_TOP + plot_h * (1 - max(0.0, min(1.0, value))), 1)

    series = []
    for key, colour, dash in SERIES:
        points = [(x_of(f.date), y_of(value)) for f in follow_ups if (value := getattr(f.scores, key)) is not None]
        series.append(Series(key=key, colour=colour, dash=dash, points=points))
    seen: dict[date, float] = {}
    for f in follow_ups:
        seen.setdefault(f.date, x_of(f.date))
    return ScoreChart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        left=CHART_LEFT,
        right=CHART_WIDTH - CHART_RIGHT,
        top=CHART_TOP,
        bottom=CHART_HEIGHT - CHART_BOTTOM,
        series=series,
        ticks=[(x, day) for day, x in seen.items()],
        levels=[(y_of(level / 100), level) for level in (0, 50, 100)],
    )
