"""Referral pages, as the referring side sees them: the services matching a milestone of a case, a
new referral with a preview of what the partner will see, and a referral with the steps the
referring side may take (verify, withdraw, ...). The receiving partner answers on its own pages."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from service import places
from service.auth.models import Principal, Role
from service.auth.permissions import Action
from service.crypto import PersonalDataCipher
from service.db import Connection
from service.directory import repo as directory_repo
from service.directory.listings import readable_service
from service.directory.models import Organization, Service
from service.errors import DomainError, NotFound, ValidationFailed
from service.idempotency import Creator
from service.reintegration import cases, consent_repo, disclosure, matching, plans, referrals, workflow
from service.reintegration.case_models import CaseStatus, Survivor, SurvivorSummary
from service.reintegration.case_repo import CaseRow
from service.reintegration.plan_models import Milestone
from service.reintegration.referral_models import Match, Referral, ReferralCreate, TransitionRequest, Urgency
from service.reintegration.scope import case_for
from service.reintegration.workflow import Side
from service.web import forms
from service.web.cases import match_reasons
from service.web.cases.case import EVERYTHING
from service.web.cases.form_input import blanks, convert, present, refusal
from service.web.forms import Errors
from service.web.i18n import gettext as _
from service.web.page import Form, PageWork, Work, page
from service.web.words import directory_labels, vocabulary

# -- services for a milestone ------------------------------------------------------------------------


async def _matches(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID, milestone_id: uuid.UUID
) -> tuple[Milestone, list[Match], str]:
    plan = await plans.read_current_plan(conn, principal, cipher, survivor_id)
    milestone = next((m for m in plan.milestones if m.id == milestone_id), None)
    if milestone is None:
        raise NotFound("No such milestone in this case's plan")
    found = await matching.matches(conn, principal, survivor_id, milestone_id=milestone_id, domain=None)
    return milestone, found, _distance_note(await case_for(conn, principal, survivor_id, Action.VIEW_CASE))


def _distance_note(case: CaseRow) -> str:
    """Where the distances are measured from, or why there are none: a province that took in others
    in 2025 has no one centre near every commune of it (issue 15, point 9)."""
    if case.home_province is None or case.home_province == places.NATIONAL:
        return _("No distances: the case records no home province.")
    if case.home_former_province:
        return _("Distances from the centre of former %(province)s, where the survivor comes from.") % {
            "province": case.home_former_province
        }
    if places.home_centre(case.home_province) is None:
        province = places.by_code(case.home_province)
        return _(
            "No distances: %(province)s took in %(former)s in 2025, and the case does not say which part the"
            " survivor comes from. Change the case's home province to the former one to see them."
        ) % {"province": province.name, "former": ", ".join(province.former_names)}
    return _("Distances from the centre of %(province)s.") % {"province": places.by_code(case.home_province).name}


@get("/cases/{survivor_id:uuid}/matches", name="case-matches")
async def matches_page(work: Work, survivor_id: FromPath[uuid.UUID], milestone: FromQuery[uuid.UUID]) -> Template:
    found_for, found, distance_note = await work.run(_matches, survivor_id, milestone)
    return work.page(
        "cases/matches.html",
        survivor_id=survivor_id,
        distance_note=distance_note,
        milestone=found_for,
        matches=found,
        reason_sentence=match_reasons.sentence,
        words=vocabulary(),
        labels=directory_labels(),
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
    all_partners, named = await consent_repo.organizations_with_consent(conn, survivor_id)
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
        labels=directory_labels(),
    )


@get("/referrals/new", name="referral-new")
async def new_referral(
    work: Work,
    service: FromQuery[uuid.UUID],
    case: FromQuery[uuid.UUID | None] = None,
    milestone: FromQuery[uuid.UUID | None] = None,
) -> Template:
    desk = await work.run(load_referral_desk, service, case)
    return _referral_form(work.principal, desk, {"milestone_id": str(milestone) if milestone else ""})


@post("/referrals", name="referral-create", status_code=303)
async def create_referral(work: Work, form: Form, creator: NamedDependency[Creator]) -> Redirect | Template:
    principal, values = work.principal, forms.text_fields(form)
    try:
        service_id, survivor_id = uuid.UUID(values.get("service_id", "")), uuid.UUID(values.get("survivor_id", ""))
    except ValueError:
        raise NotFound("Choose a service and a case") from None
    desk = await work.run(load_referral_desk, service_id, survivor_id)
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
        try:  # the preview shows what the partner would read: only a summary that could be sent
            if desk.case is not None:
                disclosure.refuse_identifiers(data.shared_summary, desk.case, "shared_summary")
        except ValidationFailed as exc:
            errors = forms.domain_errors(exc, rename=REFERRAL_RENAME, summary=True)
            return _referral_form(principal, desk, values, errors=errors, status_code=422)
        return _referral_form(principal, desk, values, preview=True)
    try:
        referral_id = await creator.create_from_form(
            values,
            data,
            lambda conn: referrals.create_referral(conn, principal, work.cipher, data),
        )
    except DomainError as exc:
        return _referral_form(
            principal,
            desk,
            values,
            errors=refusal(exc, REFERRAL_RENAME),
            no_consent=exc.status == 403,
            status_code=exc.status,
        )
    return Redirect(path=f"/referrals/{referral_id}", status_code=303)


# -- a referral, as the referring side sees it -------------------------------------------------------

REFERRER_ACTIONS = frozenset(name for name, t in workflow.REFERRAL_TRANSITIONS.items() if t.side is Side.REFERRER)


async def _referral_with_org(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, referral_id: uuid.UUID
) -> tuple[Referral, Organization]:
    referral = await referrals.read_referral(conn, principal, cipher, referral_id)
    return referral, await directory_repo.get_organization(conn, referral.receiving_organization_id)


async def render_referral(
    work: PageWork,
    referral_id: uuid.UUID,
    *,
    values: Mapping[str, str] | None = None,
    errors: Errors | None = None,
    status_code: int = 200,
) -> Template | Redirect:
    referral, organization = await work.run(_referral_with_org, referral_id)
    if referral.survivor_id is None:  # the receiving partner: its own pages answer referrals
        return Redirect(path=f"/partner/referrals/{referral_id}", status_code=303)
    return work.page(
        "cases/referral.html",
        status_code,
        referral=referral,
        organization=organization,
        actions=referrals.next_actions(referral, Side.REFERRER),
        values=blanks(values or {}),
        errors=errors or {},
        words=vocabulary(),
    )


@get("/referrals/{referral_id:uuid}", name="referral")
async def referral_page(work: Work, referral_id: FromPath[uuid.UUID]) -> Template | Redirect:
    return await render_referral(work, referral_id)


@post("/referrals/{referral_id:uuid}/{action:str}", name="referral-step", status_code=303)
async def referral_step(
    work: Work, form: Form, referral_id: FromPath[uuid.UUID], action: FromPath[str]
) -> Redirect | Template:
    if action not in REFERRER_ACTIONS:
        raise NotFound("No such referral action")
    values = forms.text_fields(form)
    body, errors = convert(present(values, "note"), TransitionRequest, {"note": "note"})
    if body is None:
        return await render_referral(work, referral_id, values=values, errors=errors, status_code=422)
    try:
        await work.run(referrals.transition, referral_id, action, body)
    except DomainError as exc:
        return await render_referral(
            work,
            referral_id,
            values=values,
            errors=refusal(exc, {"note": "note"}),
            status_code=exc.status,
        )
    return Redirect(path=f"/referrals/{referral_id}", status_code=303)
