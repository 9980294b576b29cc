"""The forms of the case page, all posting under ``/cases/{id}/...``: record and withdraw consents,
draft a plan and move it through its steps, add and move milestones, propose the milestones the
survivor is entitled to, and record follow-ups. Each one goes back to the case page: at its section
when it worked, with the input and the errors when it was refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from service.auth.models import Principal
from service.crypto import PersonalDataCipher
from service.db import Connection, transact
from service.errors import Conflict, DomainError, NotFound
from service.idempotency import Creator
from service.reintegration import cases, followups, plans, rules, workflow
from service.reintegration.case_models import Consent, ConsentCreate
from service.reintegration.follow_up_models import FollowUpCreate
from service.reintegration.plan_models import Milestone, MilestoneCreate, MilestonePatch, Plan, PlanCreate, PlanSubmit
from service.web.cases.case import form_values, render_case
from service.web.cases.form_input import convert, local_datetime, present, refusal
from service.web.forms import Errors
from service.web.i18n import gettext as _
from service.web.page import Cipher, Pool, Who

Creators = NamedDependency[Creator]
Form = Request[Any, Any, Any]

ALL_PARTNERS = "all"  # the consent form's value for "every partner organization"


@dataclass(frozen=True)
class Posted:
    """The case a form posts to, who posts it (with the key to the case's personal data) and the
    text fields they sent."""

    pool: asyncpg.Pool
    principal: Principal
    cipher: PersonalDataCipher
    survivor_id: uuid.UUID
    values: Mapping[str, str] = field(default_factory=dict)


async def posted_to_case(
    request: Form, principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
) -> Posted:
    """The router's ``posted`` dependency, for the handlers here that read a form: what was posted
    to which case, by whom."""
    return Posted(pool, principal, cipher, survivor_id, await form_values(request))


@dataclass(frozen=True)
class _Form:
    """A form of the case page: its name (the page shows its input and errors again), the section
    to go back to, and the form field each of the use case's error fields is shown at."""

    name: str
    anchor: str
    rename: Mapping[str, str] = field(default_factory=dict)


async def _act(
    case: Posted,
    form: _Form,
    work: Callable[..., Any],
    *args: Any,
    parsed: tuple[Any, Errors] | None = None,
    creator: Creator | None = None,
) -> Redirect | Template:
    """Run one case-page form, ``work(conn, principal, cipher, survivor_id, *args)``: on success back
    to the case page at its section (POST-redirect-GET); when the form (``parsed``: the shape and
    the errors) or the use case refuses, the case page again with the input and the errors. A form
    that creates (its ``creator`` given) makes one resource however often it is sent."""
    pool, principal, cipher, survivor_id, values = case.pool, case.principal, case.cipher, case.survivor_id, case.values

    async def refused(errors: Errors, status_code: int) -> Template:
        return await render_case(
            pool, principal, cipher, survivor_id, form=form.name, values=values, errors=errors, status_code=status_code
        )

    if parsed is not None and parsed[0] is None:
        return await refused(parsed[1], 422)
    try:
        if creator is not None and parsed is not None:
            await creator.create_from_form(
                values, parsed[0], lambda conn: work(conn, principal, cipher, survivor_id, *args)
            )
        else:
            await transact(pool, work, principal, cipher, survivor_id, *args)
    except DomainError as exc:
        return await refused(refusal(exc, form.rename), exc.status)
    return Redirect(path=f"/cases/{survivor_id}#{form.anchor}", status_code=303)


CONSENT_RENAME = {
    "purpose": "purpose",
    "organization_id": "organization_id",
    "method": "consent_method",
    "evidence": "evidence",
    "expires_at": "expires_at",
}


CONSENT_FORM = _Form("consent", "consents", CONSENT_RENAME)


@post("/cases/{survivor_id:uuid}/consents", name="case-consent", status_code=303)
async def record_consent(posted: NamedDependency[Posted], creator: Creators) -> Redirect | Template:
    values = posted.values
    data: dict[str, Any] = {
        "purpose": values.get("purpose", ""),
        "method": values.get("consent_method", ""),
        "evidence": values.get("evidence", ""),
    }
    recipient = values.get("organization_id", "")
    if recipient:
        data["organization_id"] = None if recipient == ALL_PARTNERS else recipient
    if values.get("expires_at"):
        data["expires_at"] = local_datetime(values["expires_at"], end_of_day=True)
    parsed = convert(data, ConsentCreate, CONSENT_RENAME)
    if not recipient:  # silence is not consent: nobody is chosen for the person recording it
        parsed = (
            None,
            {**parsed[1], "organization_id": _("Choose who may receive it: one organization, or all partners.")},
        )
    return await _act(posted, CONSENT_FORM, cases.record_consent, parsed[0], parsed=parsed, creator=creator)


async def _withdraw_consent(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID, consent_id: uuid.UUID
) -> Consent:
    """Withdraw a consent of this case; one of another case is not found here."""
    await cases.read_consent(conn, principal, cipher, survivor_id, consent_id)
    return await cases.withdraw_consent(conn, principal, cipher, consent_id)


@post("/cases/{survivor_id:uuid}/consents/{consent_id:uuid}/withdraw", name="case-consent-withdraw", status_code=303)
async def withdraw_consent(
    principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID], consent_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    case = Posted(pool, principal, cipher, survivor_id)
    return await _act(case, _Form("withdraw", "consents"), _withdraw_consent, consent_id)


PLAN_FORM = _Form("plan", "plan", {"notes": "notes"})


@post("/cases/{survivor_id:uuid}/plans", name="case-plan", status_code=303)
async def draft_plan(posted: NamedDependency[Posted], creator: Creators) -> Redirect | Template:
    parsed = convert({"notes": posted.values.get("notes", "")}, PlanCreate, {"notes": "notes"})
    return await _act(posted, PLAN_FORM, plans.create_plan, parsed[0], parsed=parsed, creator=creator)


async def _plan_step(
    conn: Connection,
    principal: Principal,
    cipher: PersonalDataCipher,
    survivor_id: uuid.UUID,
    plan_id: uuid.UUID,
    action: str,
    body: PlanSubmit | str | None,
) -> Plan:
    """A step of this case's current plan (a plan of another case is not found here)."""
    plan = await plans.read_current_plan(conn, principal, cipher, survivor_id)
    if plan.id != plan_id:
        raise Conflict("Only the current plan can change")
    return await plans.transition_plan(conn, principal, cipher, plan_id, action, body)


SUBMIT_RENAME = {"survivor_agreed_at": "survivor_agreed_at", "agreement_method": "agreement_method"}


@post("/cases/{survivor_id:uuid}/plan/{plan_id:uuid}/{action:str}", name="case-plan-step", status_code=303)
async def plan_step(
    posted: NamedDependency[Posted], plan_id: FromPath[uuid.UUID], action: FromPath[str]
) -> Redirect | Template:
    if action not in workflow.PLAN_TRANSITIONS:
        raise NotFound("No such plan step")
    values = posted.values
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
        posted, _Form(f"plan-{action}", "plan", SUBMIT_RENAME), _plan_step, plan_id, action, body, parsed=parsed
    )


MILESTONE_RENAME = {
    "domain": "domain",
    "title": "title",
    "target_date": "target_date",
    "responsible_organization_id": "responsible_organization_id",
}


async def _add_milestone(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID, data: MilestoneCreate
) -> Milestone:
    plan = await plans.read_current_plan(conn, principal, cipher, survivor_id)
    return await plans.add_milestone(conn, principal, cipher, plan.id, data)


MILESTONE_FORM = _Form("milestone", "plan", MILESTONE_RENAME)


@post("/cases/{survivor_id:uuid}/milestones", name="case-milestone-add", status_code=303)
async def add_milestone(posted: NamedDependency[Posted], creator: Creators) -> Redirect | Template:
    values = posted.values
    parsed = convert(
        {"title": values.get("title", ""), **present(values, "domain", "target_date", "responsible_organization_id")},
        MilestoneCreate,
        MILESTONE_RENAME,
    )
    return await _act(posted, MILESTONE_FORM, _add_milestone, parsed[0], parsed=parsed, creator=creator)


async def _move_milestone(
    conn: Connection,
    principal: Principal,
    cipher: PersonalDataCipher,
    survivor_id: uuid.UUID,
    milestone_id: uuid.UUID,
    data: MilestonePatch,
) -> Milestone:
    plan = await plans.read_current_plan(conn, principal, cipher, survivor_id)
    if milestone_id not in {m.id for m in plan.milestones}:
        raise NotFound("No such milestone in this case's plan")
    return await plans.patch_milestone(conn, principal, cipher, milestone_id, data)


@post("/cases/{survivor_id:uuid}/milestones/{milestone_id:uuid}", name="case-milestone", status_code=303)
async def move_milestone(posted: NamedDependency[Posted], milestone_id: FromPath[uuid.UUID]) -> Redirect | Template:
    parsed = convert(present(posted.values, "status", "note"), MilestonePatch, {"status": "status", "note": "note"})
    return await _act(
        posted,
        _Form(f"milestone-{milestone_id}", f"m-{milestone_id}", {"status": "status"}),
        _move_milestone,
        milestone_id,
        parsed[0],
        parsed=parsed,
    )


@post("/cases/{survivor_id:uuid}/entitlements", name="case-entitlements", status_code=303)
async def propose_milestones(
    principal: Who, pool: Pool, cipher: Cipher, survivor_id: FromPath[uuid.UUID]
) -> Redirect | Template:
    case = Posted(pool, principal, cipher, survivor_id)
    return await _act(case, _Form("entitlements", "entitlements"), plans.propose_entitlement_milestones)


FOLLOW_UP_RENAME = {
    "date": "fu_date",
    "method": "fu_method",
    "notes": "fu_notes",
    "indicators": "_form",
    "contact_override_reason": "fu_override",
    "next_date": "fu_next_date",
}


def follow_up_from_form(values: Mapping[str, str]) -> tuple[FollowUpCreate | None, Errors]:
    answers = {
        item.code: values[f"ind_{item.code}"] for item in rules.scoring().indicators if values.get(f"ind_{item.code}")
    }
    data = {
        **present(
            {
                "date": values.get("fu_date", ""),
                "method": values.get("fu_method", ""),
                "next_date": values.get("fu_next_date", ""),
            },
            "date",
            "method",
            "next_date",
        ),
        "notes": values.get("fu_notes", ""),
        "indicators": answers,
        **({"contact_override_reason": values["fu_override"]} if values.get("fu_override", "").strip() else {}),
    }
    return convert(data, FollowUpCreate, FOLLOW_UP_RENAME)


@post("/cases/{survivor_id:uuid}/follow-ups", name="case-follow-up", status_code=303)
async def record_follow_up(posted: NamedDependency[Posted], creator: Creators) -> Redirect | Template:
    parsed = follow_up_from_form(posted.values)
    rename = FOLLOW_UP_RENAME | {f"indicators.{item.code}": f"ind_{item.code}" for item in rules.scoring().indicators}
    return await _act(
        posted,
        _Form("follow-up", "follow-ups", rename),
        followups.record_follow_up,
        parsed[0],
        parsed=parsed,
        creator=creator,
    )
