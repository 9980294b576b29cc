"""Caseworker pages (coordinators use them too, for the cases of their organization tree): my cases,
open a case, a case in full with its consents, plan, entitlements, referrals and follow-ups, the
services matching a milestone, a new referral with a preview of what the partner will see, and a
referral as the referring side sees it.

Every page calls the same use cases as the JSON API inside ``transact``: they check scope, decrypt,
and write the audit log. This module only turns forms into API shapes and results into pages."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

import asyncpg
from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service.auth.models import Principal, Role
from service.auth.permissions import Action, check
from service.crypto import PersonalDataCipher
from service.db import Connection, transact
from service.directory import repo as directory_repo
from service.directory.api import readable_service
from service.directory.models import Organization, Service
from service.directory.pages import labels
from service.directory.rules import LOCAL_TZ
from service.errors import Conflict, DomainError, NotFound
from service.pagination import PageParams
from service.reintegration import cases, followups, matching, plans, referrals, rules, workflow
from service.reintegration import repo as reintegration_repo
from service.reintegration.models import (
    CaseStatus,
    CaseType,
    ClosureReason,
    Consent,
    ConsentCreate,
    ConsentMethod,
    ConsentPurpose,
    ContactChannel,
    Entitlements,
    FollowUp,
    FollowUpCreate,
    FollowUpMethod,
    IdentificationStatus,
    Match,
    Milestone,
    MilestoneCreate,
    MilestoneDomain,
    MilestonePatch,
    MilestoneStatus,
    Plan,
    PlanCreate,
    PlanStatus,
    PlanSubmit,
    Referral,
    ReferralCreate,
    ReferralStatus,
    RiskLevel,
    Sex,
    Survivor,
    SurvivorCreate,
    SurvivorSummary,
    TransitionRequest,
    Urgency,
)
from service.reintegration.workflow import Side
from service.web import forms
from service.web.forms import Errors
from service.web.i18n import current
from service.web.i18n import gettext as _
from service.web.pages import PAGE_DEPENDENCIES, page

T = TypeVar("T")
Pool = NamedDependency[asyncpg.Pool]
Who = NamedDependency[Principal]
Cipher = NamedDependency[PersonalDataCipher]

ALL_PARTNERS = "all"  # the consent form's value for "every partner organization"
ORGANIZATION_LIMIT = 200
EVERYTHING = PageParams(page=1, per_page=100)


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


def options(names: Mapping[str, str]) -> list[tuple[str, str]]:
    """(value, label) pairs for the ``select`` macro."""
    return [(str(value), label) for value, label in names.items()]


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


async def form_values(request: Request[Any, Any, Any]) -> dict[str, str]:
    return forms.text_fields(await request.form())


# -- my cases ----------------------------------------------------------------------------------------


def _list_url(filters: Mapping[str, str | None], number: int) -> str:
    query = [(key, value) for key, value in filters.items() if value] + [("page", str(number))]
    return "/cases?" + urlencode(query)


@get("/cases", name="cases")
async def case_list(
    principal: Who,
    pool: Pool,
    cipher: Cipher,
    paging: NamedDependency[PageParams],
    status: FromQuery[CaseStatus | None] = None,
    case_type: FromQuery[CaseType | None] = None,
    q: FromQuery[str | None] = None,
) -> Template:
    code = (q or "").strip().upper()[:30] or None
    query = cases.CaseQuery(status=status, case_type=case_type, q=code)
    result = await transact(pool, cases.list_cases, principal, cipher, query, paging)
    filters = {"status": status, "case_type": case_type, "q": code}
    return page(
        "cases/list.html",
        principal,
        result=result,
        filters=filters,
        words=vocabulary(),
        labels=labels(),
        previous_page=_list_url(filters, result.page - 1) if result.page > 1 else None,
        next_page=_list_url(filters, result.page + 1) if result.total > result.page * result.per_page else None,
        may_open=principal.role in (Role.CASEWORKER, Role.COORDINATOR),
    )


# -- open a case -------------------------------------------------------------------------------------

CASE_FIELDS = (
    "case_type",
    "identification_status",
    "full_name",
    "phone",
    "address",
    "id_document_number",
    "sex",
    "birth_year",
    "nationality",
    "home_province",
    "home_commune",
    "returned_from",
    "return_date",
    "risk_level",
)
CASE_RENAME = {
    "contact_preference.channel": "contact_channel",
    "contact_preference.safe_hours": "safe_hours",
    "contact_preference.do_not_contact": "do_not_contact",
    "contact_preference": "contact_channel",
    **{name: name for name in (*CASE_FIELDS, "languages", "accompanying_child")},
}


def _case_form(principal: Principal, values: Mapping[str, str], errors: Errors, status_code: int = 200) -> Template:
    return page(
        "cases/new.html",
        principal,
        status_code,
        values=blanks(values),
        errors=errors,
        words=vocabulary(),
        labels=labels(),
    )


@get("/cases/new", name="case-new")
async def new_case_form(principal: Who) -> Template:
    check(principal, Action.CREATE_CASE, principal.organization_id)
    defaults = {"nationality": "VN", "identification_status": "reported", "risk_level": "medium"}
    return _case_form(principal, defaults, {})


def survivor_from_form(values: Mapping[str, str]) -> tuple[SurvivorCreate | None, Errors]:
    data: dict[str, Any] = present(values, *CASE_FIELDS)
    for name in ("nationality", "returned_from"):
        if name in data:
            data[name] = data[name].upper()
    data["languages"] = [part.strip().lower() for part in values.get("languages", "").split(",") if part.strip()]
    data["accompanying_child"] = checked(values, "accompanying_child")
    data["contact_preference"] = {
        **present(
            {"channel": values.get("contact_channel", ""), "safe_hours": values.get("safe_hours", "")},
            "channel",
            "safe_hours",
        ),
        "do_not_contact": checked(values, "do_not_contact"),
    }
    return convert(data, SurvivorCreate, CASE_RENAME)


@post("/cases", name="case-create", status_code=303)
async def create_case(
    request: Request[Any, Any, Any], principal: Who, pool: Pool, cipher: Cipher
) -> Redirect | Template:
    check(principal, Action.CREATE_CASE, principal.organization_id)
    values = await form_values(request)
    data, errors = survivor_from_form(values)
    if data is None:
        return _case_form(principal, values, errors, 422)
    try:
        case = await transact(pool, cases.create_case, principal, cipher, data)
    except DomainError as exc:
        if exc.status in (401, 404):
            raise
        return _case_form(principal, values, forms.domain_errors(exc, rename=CASE_RENAME, summary=True), exc.status)
    return Redirect(path=f"/cases/{case.id}", status_code=303)


# -- a case in full ----------------------------------------------------------------------------------


@dataclass
class CaseFile:
    """Everything the case page shows, read through the use cases in one transaction."""

    case: Survivor
    consents: list[Consent]
    plan: Plan | None
    entitlements: Entitlements
    referrals: list[Referral]
    follow_ups: list[FollowUp]
    organizations: list[Organization]


async def load_case(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID
) -> CaseFile:
    case = await cases.read_case(conn, principal, cipher, survivor_id)  # scope first: 404 stops here
    try:
        plan: Plan | None = await plans.read_current_plan(conn, principal, survivor_id)
    except NotFound:
        plan = None
    organizations, _total = await directory_repo.list_organizations(
        conn, query=None, limit=ORGANIZATION_LIMIT, offset=0
    )
    return CaseFile(
        case=case,
        consents=await cases.list_consents(conn, principal, survivor_id),
        plan=plan,
        entitlements=await plans.entitlements(conn, principal, survivor_id),
        referrals=(await referrals.list_referrals(conn, principal, EVERYTHING, survivor_id=survivor_id)).items,
        follow_ups=await followups.list_follow_ups(conn, principal, survivor_id),
        organizations=organizations,
    )


@dataclass
class DomainGroup:
    domain: str
    milestones: list[Milestone] = field(default_factory=list)


def timeline(plan: Plan | None) -> list[DomainGroup]:
    """The plan's milestones grouped by domain, domains in the plan's own order, dated ones first."""
    if plan is None:
        return []
    groups = {domain: DomainGroup(domain) for domain in MilestoneDomain}
    for milestone in sorted(plan.milestones, key=lambda m: (m.target_date is None, m.target_date or date.min)):
        groups[milestone.domain].milestones.append(milestone)
    return [group for group in groups.values() if group.milestones]


def next_states(milestone: Milestone) -> list[str]:
    """The states a milestone may move to, in the order of its life, so "cancelled" comes last
    and is never what a stray click picks."""
    allowed = workflow.MILESTONE_TRANSITIONS[milestone.status]
    return [status.value for status in MilestoneStatus if status in allowed]


def plan_actions(principal: Principal, plan: Plan | None) -> list[str]:
    """The plan steps open from its status; approve and send back only to coordinators."""
    if plan is None:
        return []
    return [
        action
        for action, (sources, _target) in workflow.PLAN_TRANSITIONS.items()
        if plan.status in sources
        and (action not in workflow.COORDINATOR_PLAN_ACTIONS or principal.role is Role.COORDINATOR)
    ]


# The follow-up chart: a server-drawn SVG, no script; each series has its own dash and marker so
# that colour is never the only difference.
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
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    series: list[Series]
    ticks: list[tuple[float, date]]
    levels: list[tuple[float, int]]


def chart(follow_ups: list[FollowUp]) -> Chart | None:
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
    return Chart(
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


def indicator_questions() -> list[dict[str, Any]]:
    """The survey in the page's language: code, question, dimension and answers as (index, text)."""
    en = english()
    return [
        {
            "code": item.code,
            "dimension": item.dimension,
            "question": item.question_en if en else item.question_vi,
            "answers": [(str(index), a.en if en else a.vi) for index, a in enumerate(item.answers)],
        }
        for item in rules.scoring().indicators
    ]


async def render_case(
    pool: asyncpg.Pool,
    principal: Principal,
    cipher: PersonalDataCipher,
    survivor_id: uuid.UUID,
    *,
    form: str | None = None,
    values: Mapping[str, str] | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> Template:
    """The case page; after a refused form, that form (``form``) shows its values and errors."""
    data = await transact(pool, load_case, principal, cipher, survivor_id)
    organization_names = {o.id: o.name for o in data.organizations}
    uncovered = [item for item in data.entitlements.items if not item.covered]

    def form_of(name: str) -> dict[str, Any]:
        """The values and errors of form ``name``: what was typed if it was the one refused."""
        if name == form:
            return {"values": blanks(values or {}), "errors": dict(errors or {})}
        return {"values": blanks({}), "errors": {}}

    return page(
        "cases/case.html",
        principal,
        status_code,
        file=data,
        case=data.case,
        plan=data.plan,
        timeline=timeline(data.plan),
        next_states=next_states,
        open_states={s.value for s in workflow.OPEN_MILESTONE_STATES},
        plan_actions=plan_actions(principal, data.plan),
        editable_plan=data.plan is not None and data.plan.status in workflow.EDITABLE_PLAN_STATES,
        uncovered=uncovered,
        organization_names=organization_names,
        organization_options=[(str(o.id), o.name) for o in data.organizations],
        chart=chart(data.follow_ups),
        questions=indicator_questions(),
        form_of=form_of,
        words=vocabulary(),
        labels=labels(),
        english=english(),
        today=plans.today().isoformat(),
    )


@get("/cases/{survivor_id:uuid}", name="case")
async def case_page(principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]) -> Template:
    return await render_case(pool, principal, cipher, survivor_id)


async def _act(
    pool: asyncpg.Pool,
    principal: Principal,
    cipher: PersonalDataCipher,
    survivor_id: uuid.UUID,
    *,
    form: str,
    values: Mapping[str, str],
    shape_and_errors: tuple[Any, Errors] | None,
    work: Callable[..., Any],
    args: Iterable[Any],
    rename: Mapping[str, str],
    anchor: str,
) -> Redirect | Template:
    """Run one case-page form: on success back to the case page at its section (POST-redirect-GET);
    when the form or the use case refuses, the case page again with the input and the errors."""
    if shape_and_errors is not None and shape_and_errors[0] is None:
        return await render_case(
            pool, principal, cipher, survivor_id, form=form, values=values, errors=shape_and_errors[1], status_code=422
        )
    try:
        await transact(pool, work, *args)
    except DomainError as exc:
        if exc.status in (401, 404):
            raise
        return await render_case(
            pool,
            principal,
            cipher,
            survivor_id,
            form=form,
            values=values,
            errors=forms.domain_errors(exc, rename=rename, summary=True),
            status_code=exc.status,
        )
    return Redirect(path=f"/cases/{survivor_id}#{anchor}", status_code=303)


CONSENT_RENAME = {
    "purpose": "purpose",
    "organization_id": "organization_id",
    "method": "consent_method",
    "evidence": "evidence",
    "expires_at": "expires_at",
}


@post("/cases/{survivor_id:uuid}/consents", name="case-consent", status_code=303)
async def record_consent(
    request: Request[Any, Any, Any], principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    values = await form_values(request)
    data: dict[str, Any] = {
        "purpose": values.get("purpose", ""),
        "method": values.get("consent_method", ""),
        "evidence": values.get("evidence", ""),
    }
    recipient = values.get("organization_id", "")
    if recipient and recipient != ALL_PARTNERS:
        data["organization_id"] = recipient
    if values.get("expires_at"):
        data["expires_at"] = local_datetime(values["expires_at"], end_of_day=True)
    parsed = convert(data, ConsentCreate, CONSENT_RENAME)
    return await _act(
        pool,
        principal,
        cipher,
        survivor_id,
        form="consent",
        values=values,
        shape_and_errors=parsed,
        work=cases.record_consent,
        args=(principal, survivor_id, parsed[0]),
        rename=CONSENT_RENAME,
        anchor="consents",
    )


async def _withdraw_consent(
    conn: Connection, principal: Principal, survivor_id: uuid.UUID, consent_id: uuid.UUID
) -> Consent:
    """Withdraw a consent of this case; one of another case is not found here."""
    if consent_id not in {c.id for c in await cases.list_consents(conn, principal, survivor_id)}:
        raise NotFound("No such consent in this case")
    return await cases.withdraw_consent(conn, principal, consent_id)


@post("/cases/{survivor_id:uuid}/consents/{consent_id:uuid}/withdraw", name="case-consent-withdraw", status_code=303)
async def withdraw_consent(
    principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID], consent_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    return await _act(
        pool,
        principal,
        cipher,
        survivor_id,
        form="withdraw",
        values={},
        shape_and_errors=None,
        work=_withdraw_consent,
        args=(principal, survivor_id, consent_id),
        rename={},
        anchor="consents",
    )


@post("/cases/{survivor_id:uuid}/plans", name="case-plan", status_code=303)
async def draft_plan(
    request: Request[Any, Any, Any], principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    values = await form_values(request)
    parsed = convert({"notes": values.get("notes", "")}, PlanCreate, {"notes": "notes"})
    return await _act(
        pool,
        principal,
        cipher,
        survivor_id,
        form="plan",
        values=values,
        shape_and_errors=parsed,
        work=plans.create_plan,
        args=(principal, survivor_id, parsed[0]),
        rename={"notes": "notes"},
        anchor="plan",
    )


async def _plan_step(
    conn: Connection,
    principal: Principal,
    survivor_id: uuid.UUID,
    plan_id: uuid.UUID,
    action: str,
    body: PlanSubmit | str | None,
) -> Plan:
    """A step of this case's current plan (a plan of another case is not found here)."""
    plan = await plans.read_current_plan(conn, principal, survivor_id)
    if plan.id != plan_id:
        raise Conflict("Only the current plan can change")
    return await plans.transition_plan(conn, principal, plan_id, action, body)


SUBMIT_RENAME = {"survivor_agreed_at": "survivor_agreed_at", "agreement_method": "agreement_method"}


@post("/cases/{survivor_id:uuid}/plan/{plan_id:uuid}/{action:str}", name="case-plan-step", status_code=303)
async def plan_step(
    request: Request[Any, Any, Any],
    principal: Who,
    pool: Pool,
    cipher: Cipher,
    survivor_id: FromPath[uuid.UUID],
    plan_id: FromPath[uuid.UUID],
    action: FromPath[str],
) -> Redirect | Template:
    if action not in workflow.PLAN_TRANSITIONS:
        raise NotFound("No such plan step")
    values = await form_values(request)
    parsed: tuple[Any, Errors] | None = None
    body: PlanSubmit | str | None = None
    if action == "submit":
        data = present(values, "survivor_agreed_at", "agreement_method")
        if "survivor_agreed_at" in data:
            data["survivor_agreed_at"] = local_datetime(data["survivor_agreed_at"])
        parsed = convert(data, PlanSubmit, SUBMIT_RENAME)
        body = parsed[0]
    elif action == "send-back":
        body = values.get("review_note", "")[:2000]
    return await _act(
        pool,
        principal,
        cipher,
        survivor_id,
        form=f"plan-{action}",
        values=values,
        shape_and_errors=parsed,
        work=_plan_step,
        args=(principal, survivor_id, plan_id, action, body),
        rename=SUBMIT_RENAME,
        anchor="plan",
    )


MILESTONE_RENAME = {
    "domain": "domain",
    "title": "title",
    "target_date": "target_date",
    "responsible_organization_id": "responsible_organization_id",
}


async def _add_milestone(
    conn: Connection, principal: Principal, survivor_id: uuid.UUID, data: MilestoneCreate
) -> Milestone:
    plan = await plans.read_current_plan(conn, principal, survivor_id)
    return await plans.add_milestone(conn, principal, plan.id, data)


@post("/cases/{survivor_id:uuid}/milestones", name="case-milestone-add", status_code=303)
async def add_milestone(
    request: Request[Any, Any, Any], principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    values = await form_values(request)
    parsed = convert(
        {"title": values.get("title", ""), **present(values, "domain", "target_date", "responsible_organization_id")},
        MilestoneCreate,
        MILESTONE_RENAME,
    )
    return await _act(
        pool,
        principal,
        cipher,
        survivor_id,
        form="milestone",
        values=values,
        shape_and_errors=parsed,
        work=_add_milestone,
        args=(principal, survivor_id, parsed[0]),
        rename=MILESTONE_RENAME,
        anchor="plan",
    )


async def _move_milestone(
    conn: Connection, principal: Principal, survivor_id: uuid.UUID, milestone_id: uuid.UUID, data: MilestonePatch
) -> Milestone:
    plan = await plans.read_current_plan(conn, principal, survivor_id)
    if milestone_id not in {m.id for m in plan.milestones}:
        raise NotFound("No such milestone in this case's plan")
    return await plans.patch_milestone(conn, principal, milestone_id, data)


@post("/cases/{survivor_id:uuid}/milestones/{milestone_id:uuid}", name="case-milestone", status_code=303)
async def move_milestone(
    request: Request[Any, Any, Any],
    principal: Who,
    pool: Pool,
    cipher: Cipher,
    survivor_id: FromPath[uuid.UUID],
    milestone_id: FromPath[uuid.UUID],
) -> Redirect | Template:
    values = await form_values(request)
    parsed = convert(present(values, "status", "note"), MilestonePatch, {"status": "status", "note": "note"})
    return await _act(
        pool,
        principal,
        cipher,
        survivor_id,
        form=f"milestone-{milestone_id}",
        values=values,
        shape_and_errors=parsed,
        work=_move_milestone,
        args=(principal, survivor_id, milestone_id, parsed[0]),
        rename={"status": "status"},
        anchor=f"m-{milestone_id}",
    )


@post("/cases/{survivor_id:uuid}/entitlements", name="case-entitlements", status_code=303)
async def propose_milestones(
    principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    return await _act(
        pool,
        principal,
        cipher,
        survivor_id,
        form="entitlements",
        values={},
        shape_and_errors=None,
        work=plans.propose_entitlement_milestones,
        args=(principal, survivor_id),
        rename={},
        anchor="entitlements",
    )


FOLLOW_UP_RENAME = {"date": "fu_date", "method": "fu_method", "notes": "fu_notes", "indicators": "_form"}


def follow_up_from_form(values: Mapping[str, str]) -> tuple[FollowUpCreate | None, Errors]:
    answers = {
        item.code: values[f"ind_{item.code}"] for item in rules.scoring().indicators if values.get(f"ind_{item.code}")
    }
    data = {
        **present({"date": values.get("fu_date", ""), "method": values.get("fu_method", "")}, "date", "method"),
        "notes": values.get("fu_notes", ""),
        "indicators": answers,
    }
    return convert(data, FollowUpCreate, FOLLOW_UP_RENAME)


@post("/cases/{survivor_id:uuid}/follow-ups", name="case-follow-up", status_code=303)
async def record_follow_up(
    request: Request[Any, Any, Any], principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    values = await form_values(request)
    parsed = follow_up_from_form(values)
    rename = FOLLOW_UP_RENAME | {f"indicators.{item.code}": f"ind_{item.code}" for item in rules.scoring().indicators}
    return await _act(
        pool,
        principal,
        cipher,
        survivor_id,
        form="follow-up",
        values=values,
        shape_and_errors=parsed,
        work=followups.record_follow_up,
        args=(principal, survivor_id, parsed[0]),
        rename=rename,
        anchor="follow-ups",
    )


# -- services for a milestone ------------------------------------------------------------------------


async def _matches(
    conn: Connection, principal: Principal, survivor_id: uuid.UUID, milestone_id: uuid.UUID
) -> tuple[Milestone, list[Match]]:
    plan = await plans.read_current_plan(conn, principal, survivor_id)
    milestone = next((m for m in plan.milestones if m.id == milestone_id), None)
    if milestone is None:
        raise NotFound("No such milestone in this case's plan")
    found = await matching.matches(conn, principal, survivor_id, milestone_id=milestone_id, domain=None)
    return milestone, found


@get("/cases/{survivor_id:uuid}/matches", name="case-matches")
async def matches_page(
    principal: Who, pool: Pool, survivor_id: FromPath[uuid.UUID], milestone: FromQuery[uuid.UUID]
) -> Template:
    found_for, found = await transact(pool, _matches, principal, survivor_id, milestone)
    return page(
        "cases/matches.html",
        principal,
        survivor_id=survivor_id,
        milestone=found_for,
        matches=found,
        words=vocabulary(),
        labels=labels(),
    )


# -- a new referral ----------------------------------------------------------------------------------


@dataclass
class ReferralDesk:
    """What the new-referral page needs: the service, the case (or the cases to pick from) and
    whether a live consent covers the receiving organization."""

    service: Service
    case: Survivor | None = None
    choices: list[SurvivorSummary] = field(default_factory=list)
    consent_covers: bool = False


async def load_referral_desk(
    conn: Connection,
    principal: Principal,
    cipher: PersonalDataCipher,
    service_id: uuid.UUID,
    survivor_id: uuid.UUID | None,
) -> ReferralDesk:
    service = await readable_service(conn, principal, service_id)
    if survivor_id is None:
        mine = await cases.list_cases(conn, principal, cipher, cases.CaseQuery(status=CaseStatus.OPEN), EVERYTHING)
        return ReferralDesk(service=service, choices=mine.items)
    case = await cases.read_case(conn, principal, cipher, survivor_id)
    all_partners, named = await reintegration_repo.organizations_with_consent(conn, survivor_id)
    return ReferralDesk(service=service, case=case, consent_covers=all_partners or service.organization_id in named)


REFERRAL_RENAME = {
    "shared_summary": "shared_summary",
    "urgency": "urgency",
    "service_id": "_form",
    "survivor_id": "_form",
    "milestone_id": "_form",
    "emergency_override_reason": "emergency_override_reason",
}


def _referral_form(
    principal: Principal,
    desk: ReferralDesk,
    values: Mapping[str, str],
    *,
    errors: Errors | None = None,
    preview: bool = False,
    no_consent: bool = False,
    status_code: int = 200,
) -> Template:
    urgency = values.get("urgency") or Urgency.ROUTINE.value
    due = workflow.due_at(datetime.now(UTC), Urgency(urgency)) if urgency in set(Urgency) else None
    return page(
        "cases/referral_new.html",
        principal,
        status_code,
        desk=desk,
        service=desk.service,
        case=desk.case,
        values=blanks({**values, "urgency": urgency}),
        errors=errors or {},
        preview=preview,
        preview_due=due,
        no_consent=no_consent or (desk.case is not None and not desk.consent_covers),
        may_override=principal.role is Role.COORDINATOR,
        words=vocabulary(),
        labels=labels(),
    )


@get("/referrals/new", name="referral-new")
async def new_referral(
    principal: Who,
    pool: Pool,
    cipher: Cipher,
    service: FromQuery[uuid.UUID],
    case: FromQuery[uuid.UUID | None] = None,
    milestone: FromQuery[uuid.UUID | None] = None,
) -> Template:
    desk = await transact(pool, load_referral_desk, principal, cipher, service, case)
    return _referral_form(principal, desk, {"milestone_id": str(milestone) if milestone else ""})


@post("/referrals", name="referral-create", status_code=303)
async def create_referral(
    request: Request[Any, Any, Any], principal: Who, pool: Pool, cipher: Cipher
) -> Redirect | Template:
    values = await form_values(request)
    try:
        service_id, survivor_id = uuid.UUID(values.get("service_id", "")), uuid.UUID(values.get("survivor_id", ""))
    except ValueError:
        raise NotFound("Choose a service and a case") from None
    desk = await transact(pool, load_referral_desk, principal, cipher, service_id, survivor_id)
    data, errors = convert(
        {
            "survivor_id": str(survivor_id),
            "service_id": str(service_id),
            "shared_summary": values.get("shared_summary", ""),
            **present(values, "urgency", "milestone_id", "emergency_override_reason"),
        },
        ReferralCreate,
        REFERRAL_RENAME,
    )
    if data is None:
        return _referral_form(principal, desk, values, errors=errors, status_code=422)
    if values.get("intent") == "preview":
        return _referral_form(principal, desk, values, preview=True)
    try:
        referral = await transact(pool, referrals.create_referral, principal, cipher, data)
    except DomainError as exc:
        if exc.status in (401, 404):
            raise
        return _referral_form(
            principal,
            desk,
            values,
            errors=forms.domain_errors(exc, rename=REFERRAL_RENAME, summary=True),
            no_consent=exc.status == 403,
            status_code=exc.status,
        )
    return Redirect(path=f"/referrals/{referral.id}", status_code=303)


# -- a referral, as the referring side sees it -------------------------------------------------------

REFERRER_ACTIONS = frozenset(name for name, t in workflow.REFERRAL_TRANSITIONS.items() if t.side is Side.REFERRER)


async def _referral_with_org(
    conn: Connection, principal: Principal, referral_id: uuid.UUID
) -> tuple[Referral, Organization]:
    referral = await referrals.read_referral(conn, principal, referral_id)
    return referral, await directory_repo.get_organization(conn, referral.receiving_organization_id)


async def render_referral(
    pool: asyncpg.Pool,
    principal: Principal,
    referral_id: uuid.UUID,
    *,
    values: Mapping[str, str] | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> Template | Redirect:
    referral, organization = await transact(pool, _referral_with_org, principal, referral_id)
    if referral.survivor_id is None:  # the receiving partner: its own pages answer referrals
        return Redirect(path=f"/partner/referrals/{referral_id}", status_code=303)
    return page(
        "cases/referral.html",
        principal,
        status_code,
        referral=referral,
        organization=organization,
        actions=workflow.allowed_actions(referral.status, Side.REFERRER),
        values=blanks(values or {}),
        errors=errors or {},
        words=vocabulary(),
    )


@get("/referrals/{referral_id:uuid}", name="referral")
async def referral_page(principal: Who, pool: Pool, referral_id: FromPath[uuid.UUID]) -> Template | Redirect:
    return await render_referral(pool, principal, referral_id)


@post("/referrals/{referral_id:uuid}/{action:str}", name="referral-step", status_code=303)
async def referral_step(
    request: Request[Any, Any, Any], principal: Who, pool: Pool, referral_id: FromPath[uuid.UUID], action: FromPath[str]
) -> Redirect | Template:
    if action not in REFERRER_ACTIONS:
        raise NotFound("No such referral action")
    values = await form_values(request)
    body, errors = convert(present(values, "note"), TransitionRequest, {"note": "note"})
    if body is None:
        return await render_referral(pool, principal, referral_id, values=values, errors=errors, status_code=422)
    try:
        await transact(pool, referrals.transition, principal, referral_id, action, body)
    except DomainError as exc:
        if exc.status in (401, 404):
            raise
        return await render_referral(
            pool,
            principal,
            referral_id,
            values=values,
            errors=forms.domain_errors(exc, rename={"note": "note"}, summary=True),
            status_code=exc.status,
        )
    return Redirect(path=f"/referrals/{referral_id}", status_code=303)


router = Router(
    path="/",
    route_handlers=[
        case_list,
        new_case_form,
        create_case,
        case_page,
        record_consent,
        withdraw_consent,
        draft_plan,
        plan_step,
        add_milestone,
        move_milestone,
        propose_milestones,
        record_follow_up,
        matches_page,
        new_referral,
        create_referral,
        referral_page,
        referral_step,
    ],
    dependencies=PAGE_DEPENDENCIES,
    include_in_schema=False,
)
