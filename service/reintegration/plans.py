"""Plan use cases: draft, submit with the survivor's agreement, approve or send back, review,
close and reopen; milestones; the Art. 37 entitlement checklist and the milestones it proposes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import msgspec

from service.auth.models import Principal
from service.auth.permissions import Action, check
from service.clock import LOCAL_TZ
from service.crypto import PersonalDataCipher
from service.db import Connection
from service.errors import Conflict, NotFound
from service.fields import sent_fields
from service.reintegration import free_text, notices, plan_repo, rules, workflow
from service.reintegration.case_models import CaseType, IdentificationStatus, Sex
from service.reintegration.case_repo import CaseRow
from service.reintegration.plan_models import (
    Entitlement,
    Entitlements,
    Milestone,
    MilestoneCreate,
    MilestoneDomain,
    MilestonePatch,
    MilestoneStatus,
    Plan,
    PlanCreate,
    PlanStatus,
    PlanSubmit,
)
from service.reintegration.scope import audit_case, case_for, row_and_case


def today() -> date:
    """Today in Viet Nam, the calendar target dates are set in."""
    return datetime.now(LOCAL_TZ).date()


def to_milestone(cipher: PersonalDataCipher, row: asyncpg.Record, on: date) -> Milestone:
    status = MilestoneStatus(row["status"])
    return Milestone(
        id=row["id"],
        plan_id=row["plan_id"],
        domain=row["domain"],
        dimension=rules.DOMAIN_DIMENSION[MilestoneDomain(row["domain"])],
        title=free_text.MILESTONE.reveal(cipher, row, "title"),
        target_date=row["target_date"],
        responsible_organization_id=row["responsible_organization_id"],
        entitlement=row["entitlement"],
        status=status,
        note=free_text.MILESTONE.reveal(cipher, row, "note"),
        overdue=workflow.milestone_overdue(status, row["target_date"], on),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def _plan_view(conn: Connection, cipher: PersonalDataCipher, row: asyncpg.Record) -> Plan:
    on = today()
    milestones = [to_milestone(cipher, m, on) for m in await plan_repo.milestones(conn, [row["id"]])]
    fields = {k: row[k] for k in row.keys() if k in Plan.__struct_fields__}  # noqa: SIM118 - asyncpg Record
    texts = {
        "notes": free_text.PLAN.reveal(cipher, row, "notes"),
        "review_note": free_text.PLAN.reveal(cipher, row, "review_note") or None,
    }
    return msgspec.convert({**fields, **texts, "milestones": milestones}, Plan, from_attributes=True)


async def _plan_and_case(
    conn: Connection, principal: Principal, plan_id: uuid.UUID, action: Action
) -> tuple[asyncpg.Record, CaseRow]:
    return await row_and_case(conn, principal, action, lambda: plan_repo.get_plan(conn, plan_id, for_update=True))


async def create_plan(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID, data: PlanCreate
) -> Plan:
    case = await case_for(conn, principal, survivor_id, Action.EDIT_CASE, for_update=True)
    current = await plan_repo.current_plan(conn, survivor_id)
    if current is not None and current["status"] != PlanStatus.CLOSED:
        raise Conflict("This case already has a plan in progress; change that one", allowed=[])
    plan_id = uuid.uuid4()
    notes = free_text.PLAN.seal(cipher, plan_id, "notes", data.notes)
    await plan_repo.insert_plan(conn, plan_id, survivor_id, notes, principal.user_id)
    await audit_case(conn, principal, case, "create", "plan", plan_id)
    return await _plan_view(conn, cipher, await plan_repo.get_plan(conn, plan_id))


async def read_current_plan(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID
) -> Plan:
    case = await case_for(conn, principal, survivor_id, Action.VIEW_CASE)
    row = await plan_repo.current_plan(conn, survivor_id)
    if row is None:
        raise NotFound("This case has no plan yet")
    await audit_case(conn, principal, case, "read", "plan", row["id"])
    return await _plan_view(conn, cipher, row)


async def read_plan(conn: Connection, principal: Principal, cipher: PersonalDataCipher, plan_id: uuid.UUID) -> Plan:
    """One plan of a case in scope, with its milestones (audited like the current plan's read)."""
    plan, case = await _plan_and_case(conn, principal, plan_id, Action.VIEW_CASE)
    await audit_case(conn, principal, case, "read", "plan", plan_id)
    return await _plan_view(conn, cipher, plan)


async def transition_plan(
    conn: Connection,
    principal: Principal,
    cipher: PersonalDataCipher,
    plan_id: uuid.UUID,
    action: str,
    body: PlanSubmit | str | None,
) -> Plan:
    """submit (with the survivor's agreement), approve / send-back (coordinator), review, close, reopen."""
    needed = Action.APPROVE_PLAN if action in workflow.COORDINATOR_PLAN_ACTIONS else Action.EDIT_CASE
    plan, case = await _plan_and_case(conn, principal, plan_id, Action.VIEW_CASE)
    check(principal, needed, case.organization_id, assigned_to=case.assigned_caseworker_id)
    if not plan["is_current"]:
        raise Conflict("Only the current plan can change")
    target = workflow.check_plan_transition(action, PlanStatus(plan["status"]))
    now = datetime.now(UTC)
    changes: dict[str, Any] = {"status": target}
    if isinstance(body, PlanSubmit):
        changes.update(
            survivor_agreed_at=body.survivor_agreed_at, agreement_method=body.agreement_method, submitted_at=now
        )
    if action == "approve":
        changes.update(approved_at=now, approved_by=principal.user_id, review_note_enc=None)
    if action == "send-back":
        note = body if isinstance(body, str) else ""
        changes["review_note_enc"] = free_text.PLAN.seal(cipher, plan_id, "review_note", note)
    await plan_repo.update_plan(conn, plan_id, changes)
    await notices.plan_moved(conn, principal, case, plan_id, action, now.isoformat())
    await audit_case(
        conn,
        principal,
        case,
        action,
        "plan",
        plan_id,
        details={"to": target.value},
    )
    return await _plan_view(conn, cipher, await plan_repo.get_plan(conn, plan_id))


async def add_milestone(
    conn: Connection,
    principal: Principal,
    cipher: PersonalDataCipher,
    plan_id: uuid.UUID,
    data: MilestoneCreate,
    entitlement: str | None = None,
) -> Milestone:
    plan, case = await _plan_and_case(conn, principal, plan_id, Action.EDIT_CASE)
    if PlanStatus(plan["status"]) not in workflow.EDITABLE_PLAN_STATES or not plan["is_current"]:
        raise Conflict("Milestones are added to the current plan while it is a draft, active or under review")
    milestone_id = uuid.uuid4()
    title = free_text.MILESTONE.seal(cipher, milestone_id, "title", data.title)
    await plan_repo.insert_milestone(
        conn,
        plan_id,
        {**msgspec.structs.asdict(data), "id": milestone_id, "title_enc": title, "entitlement": entitlement},
    )
    await audit_case(
        conn,
        principal,
        case,
        "create",
        "milestone",
        milestone_id,
        details={"domain": data.domain.value},
    )
    return to_milestone(cipher, await plan_repo.get_milestone(conn, milestone_id), today())


async def read_milestone(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, milestone_id: uuid.UUID
) -> Milestone:
    """One milestone of a case in scope."""
    row, case = await row_and_case(
        conn, principal, Action.VIEW_CASE, lambda: plan_repo.get_milestone(conn, milestone_id)
    )
    await audit_case(conn, principal, case, "read", "milestone", milestone_id)
    return to_milestone(cipher, row, today())


async def patch_milestone(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, milestone_id: uuid.UUID, data: MilestonePatch
) -> Milestone:
    row, case = await row_and_case(
        conn, principal, Action.EDIT_CASE, lambda: plan_repo.get_milestone(conn, milestone_id, for_update=True)
    )
    changes = sent_fields(data)
    if "status" in changes:
        workflow.check_milestone_transition(MilestoneStatus(row["status"]), changes["status"])
    columns = {k: v for k, v in changes.items() if k not in free_text.MILESTONE.fields}
    for field in free_text.MILESTONE.fields:
        if field in changes:
            columns[f"{field}_enc"] = free_text.MILESTONE.seal(cipher, milestone_id, field, changes[field])
    await plan_repo.update_milestone(conn, milestone_id, columns)
    await audit_case(
        conn,
        principal,
        case,
        "update",
        "milestone",
        milestone_id,
        details={"fields": sorted(changes)},
    )
    return to_milestone(cipher, await plan_repo.get_milestone(conn, milestone_id), today())


# -- entitlements -----------------------------------------------------------------------------------


def facts(case: CaseRow, on: date) -> rules.CaseFacts:
    return rules.CaseFacts(
        case_type=CaseType(case.case_type),
        identification_status=IdentificationStatus(case.identification_status),
        accompanying_child=case.accompanying_child,
        sex=Sex(case.sex) if case.sex else None,
        age=rules.age(case.birth_year, on),
        languages=case.languages,
        home_province=case.home_province,
        home_former_province=case.home_former_province,
        abroad=rules.is_abroad(case.returned_from, case.return_date, on),
        nationality=case.nationality,
    )


async def _entitlements(conn: Connection, case: CaseRow) -> Entitlements:
    matrix = rules.entitlement_matrix()
    plan = await plan_repo.current_plan(conn, case.id)
    covering: dict[str, list[uuid.UUID]] = {}
    if plan is not None:
        for milestone in await plan_repo.milestones(conn, [plan["id"]]):
            if milestone["entitlement"] and milestone["status"] != MilestoneStatus.CANCELLED:
                covering.setdefault(milestone["entitlement"], []).append(milestone["id"])
    items = [
        Entitlement(
            code=r.code,
            name_vi=r.name_vi,
            name_en=r.name_en,
            domain=r.domain,
            covered=r.code in covering,
            milestone_ids=covering.get(r.code, []),
        )
        for r in rules.entitled_regimes(facts(case, today()))
    ]
    return Entitlements(
        survivor_id=case.id,
        basis=matrix.basis,
        basis_vi=matrix.basis_vi,
        effective_from=matrix.effective_from,
        items=items,
    )


async def entitlements(conn: Connection, principal: Principal, survivor_id: uuid.UUID) -> Entitlements:
    case = await case_for(conn, principal, survivor_id, Action.VIEW_CASE)
    await audit_case(conn, principal, case, "read", "entitlements", survivor_id)
    return await _entitlements(conn, case)


async def propose_entitlement_milestones(
    conn: Connection, principal: Principal, cipher: PersonalDataCipher, survivor_id: uuid.UUID
) -> Entitlements:
    """One planned milestone in the current plan for every entitled regime no milestone covers yet."""
    case = await case_for(conn, principal, survivor_id, Action.EDIT_CASE, for_update=True)
    plan = await plan_repo.current_plan(conn, survivor_id)
    if plan is None:
        raise Conflict("Draft a plan first", allowed=["POST /api/v1/survivors/{id}/plans"])
    checklist = await _entitlements(conn, case)
    for item in checklist.items:
        if not item.covered:
            title = f"Chế độ hỗ trợ {item.code}) – {item.name_vi}"
            await add_milestone(
                conn,
                principal,
                cipher,
                plan["id"],
                MilestoneCreate(domain=item.domain, title=title[:200]),
                entitlement=item.code,
            )
    return await _entitlements(conn, case)
