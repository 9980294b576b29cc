"""The caseworker's case pages (coordinators use them too, for the cases of their organization tree):
my cases, open a case, and a case in full with its consents, plan, entitlements, referrals and
follow-ups. The forms posting under ``/cases/{id}/...`` live in ``case_forms``.

Every page calls the same use cases as the JSON API inside ``transact``: they check scope, decrypt,
and write the audit log. This module only turns forms into API shapes and results into pages."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import asyncpg
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service import places
from service.auth.models import Principal, Role
from service.auth.permissions import Action, check
from service.crypto import PersonalDataCipher
from service.db import Connection, transact
from service.directory import lookups as directory_lookups
from service.directory import repo as directory_repo
from service.directory.models import Organization
from service.errors import DomainError, NotFound
from service.idempotency import Creator
from service.pagination import PageParams
from service.reintegration import cases, followups, plans, referrals, rules, workflow, worklist
from service.reintegration.case_models import CaseStatus, CaseType, Consent, Survivor, SurvivorCreate
from service.reintegration.follow_up_models import FollowUp
from service.reintegration.plan_models import Entitlements, Milestone, MilestoneDomain, MilestoneStatus, Plan
from service.reintegration.referral_models import Referral
from service.web import forms
from service.web.cases.form_input import blanks, checked, convert, english, present, refusal
from service.web.charts import score_chart
from service.web.forms import Errors
from service.web.i18n import gettext as _
from service.web.page import Cipher, Paging, Pool, Who, page, page_links
from service.web.words import country_code, country_name, directory_labels, language_code, vocabulary

EVERYTHING = PageParams(page=1, per_page=100)


async def form_values(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The text fields of a posted form (every form of the case and referral pages reads them so)."""
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
    paging: Paging,
    status: FromQuery[CaseStatus | None] = None,
    case_type: FromQuery[CaseType | None] = None,
    q: FromQuery[str | None] = None,
) -> Template:
    code = (q or "").strip().upper()[:30] or None
    query = cases.CaseQuery(status=status, case_type=case_type, q=code)
    result = await transact(pool, cases.list_cases, principal, cipher, query, paging)
    todo = await transact(pool, worklist.to_do, principal, cipher)
    filters = {"status": status, "case_type": case_type, "q": code}
    return page(
        "cases/list.html",
        principal,
        result=result,
        todo=todo,
        filters=filters,
        words=vocabulary(),
        labels=directory_labels(),
        **page_links(result.page, result.per_page, result.total, lambda number: _list_url(filters, number)),
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
        labels=directory_labels(),
    )


@get("/cases/new", name="case-new")
async def new_case_form(principal: Who) -> Template:
    check(principal, Action.CREATE_CASE, principal.organization_id)
    defaults = {"nationality": country_name("VN"), "identification_status": "reported", "risk_level": "medium"}
    return _case_form(principal, defaults, {})


def survivor_from_form(values: Mapping[str, str]) -> tuple[SurvivorCreate | None, Errors]:
    data: dict[str, Any] = present(values, *CASE_FIELDS)
    # countries and languages are picked or typed by name ("Campuchia", "Tiếng Khmer"), or by a code
    # as older records hold them; a name no list knows is refused next to its field
    unknown: dict[str, list[str]] = {}
    for name in ("nationality", "returned_from"):
        if name in data:
            code = country_code(data[name]) or (data[name].upper() if re.fullmatch("[A-Za-z]{2}", data[name]) else None)
            if code is None:
                unknown[name] = [data.pop(name)]
            else:
                data[name] = code
    typed = [part.strip() for part in values.get("languages", "").split(",") if part.strip()]
    if strange := [part for part in typed if not language_code(part) and not re.fullmatch("[A-Za-z]{2,3}", part)]:
        unknown["languages"] = strange
    data["languages"] = [language_code(part) or part.lower() for part in typed if part not in strange]
    data["accompanying_child"] = checked(values, "accompanying_child")
    data["contact_preference"] = {
        **present(
            {"channel": values.get("contact_channel", ""), "safe_hours": values.get("safe_hours", "")},
            "channel",
            "safe_hours",
        ),
        "do_not_contact": checked(values, "do_not_contact"),
    }
    converted, errors = convert(data, SurvivorCreate, CASE_RENAME)
    if not unknown:
        return converted, errors
    return None, {
        **errors,
        **{
            name: _("Not in the list: %(typed)s. Type a few letters and pick a name.") % {"typed": ", ".join(typed)}
            for name, typed in unknown.items()
        },
    }


@post("/cases", name="case-create", status_code=303)
async def create_case(
    request: Request[Any, Any, Any], principal: Who, cipher: Cipher, creator: NamedDependency[Creator]
) -> Redirect | Template:
    check(principal, Action.CREATE_CASE, principal.organization_id)
    values = await form_values(request)
    data, errors = survivor_from_form(values)
    if data is None:
        return _case_form(principal, values, errors, 422)
    try:
        case_id = await creator.create_from_form(
            values,
            data,
            lambda conn: cases.create_case(conn, principal, cipher, data),
        )
    except DomainError as exc:
        return _case_form(principal, values, refusal(exc, CASE_RENAME), exc.status)
    return Redirect(path=f"/cases/{case_id}", status_code=303)


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
    organizations: list[asyncpg.Record]  # every organization: id, name, provinces
    owner: Organization  # the organization the case belongs to


async def load_case(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID
) -> CaseFile:
    case = await cases.read_case(conn, principal, cipher, survivor_id)  # scope first: 404 stops here
    try:
        plan: Plan | None = await plans.read_current_plan(conn, principal, cipher, survivor_id)
    except NotFound:
        plan = None
    organizations = await directory_lookups.organization_choices(conn)
    return CaseFile(
        case=case,
        consents=await cases.list_consents(conn, principal, cipher, survivor_id),
        plan=plan,
        entitlements=await plans.entitlements(conn, principal, survivor_id),
        referrals=(await referrals.list_referrals(conn, principal, cipher, EVERYTHING, survivor_id=survivor_id)).items,
        follow_ups=await followups.list_follow_ups(conn, principal, cipher, survivor_id),
        organizations=organizations,
        owner=await directory_repo.get_organization(conn, case.organization_id),
    )


def recipient_groups(organizations: list[asyncpg.Record], home: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The consent recipients as (province name, [(id, name)]): the case's home province first (an
    organization with a place there is listed under it), then each province by name, then those
    with no place recorded."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for organization in organizations:
        provinces = organization["provinces"]
        key: str = home if home is not None and home in provinces else (provinces[0] if provinces else "")
        groups.setdefault(key, []).append((str(organization["id"]), organization["name"]))

    def name(code: str) -> str:
        return places.by_code(code).name if code else _("No place recorded")

    order = sorted(groups, key=lambda code: (code != home, code == "", name(code) if code else ""))
    return [(name(code), groups[code]) for code in order]


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


def why_identifiers_shown(principal: Principal, case: Survivor, owner: Organization) -> str:
    """Why the page shows who the survivor is, truthfully: the case is assigned to the viewer, or
    (for a coordinator) it belongs to an organization of the tree they coordinate."""
    if case.assigned_caseworker_id == principal.user_id:
        return _(
            "Personal identifiers are shown to you because you are the caseworker assigned to this case;"
            " this view is recorded in the audit log."
        )
    return _(
        "Personal identifiers are shown to you because this case belongs to %(organization)s, in the"
        " organization tree you coordinate; this view is recorded in the audit log."
    ) % {"organization": owner.name}


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
    organization_names = {o["id"]: o["name"] for o in data.organizations}
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
        identifiers_shown_because=why_identifiers_shown(principal, data.case, data.owner),
        editable_plan=data.plan is not None and data.plan.status in workflow.EDITABLE_PLAN_STATES,
        uncovered=uncovered,
        organization_names=organization_names,
        organization_options=[(str(o["id"]), o["name"]) for o in data.organizations],
        recipient_groups=recipient_groups(data.organizations, data.case.home_province),
        chart=score_chart(data.follow_ups),
        questions=indicator_questions(),
        form_of=form_of,
        words=vocabulary(),
        labels=directory_labels(),
        english=english(),
        today=plans.today().isoformat(),
        today_date=plans.today(),
    )


@get("/cases/{survivor_id:uuid}", name="case")
async def case_page(principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]) -> Template:
    return await render_case(pool, principal, cipher, survivor_id)
