"""The coordinator's approval queue: current plans waiting for approval in the organization tree,
each with the milestones it holds, and how many there are (the menu's count).

Approving and sending back stay in ``plans.transition_plan``; this module only reads the queue.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import msgspec

from service import audit
from service.auth.models import Principal
from service.auth.permissions import Action, check, scope_of
from service.crypto import PersonalDataCipher
from service.db import Connection
from service.reintegration import free_text

PENDING_WHERE = "p.is_current AND p.status = 'pending_approval' AND s.organization_id = ANY($1::uuid[])"


class PendingMilestone(msgspec.Struct, kw_only=True, frozen=True):
    milestone_id: uuid.UUID
    title: str
    domain: str
    target_date: date | None


class PendingPlan(msgspec.Struct, kw_only=True, frozen=True):
    plan_id: uuid.UUID
    plan_number: int
    survivor_id: uuid.UUID
    case_code: str
    organization_id: uuid.UUID
    submitted_at: datetime | None
    survivor_agreed_at: datetime | None
    agreement_method: str | None
    milestones: list[PendingMilestone]


async def pending_count(conn: Connection, principal: Principal) -> int:
    """How many plans wait for ``principal``'s approval in their organization tree (the menu's
    count); 0 for a role that approves none, so the menu can ask for anyone."""
    if scope_of(principal, Action.APPROVE_PLAN) is None:
        return 0
    count = await conn.fetchval(
        f"SELECT count(*) FROM plan p JOIN survivor s ON s.id = p.survivor_id WHERE {PENDING_WHERE}",
        list(principal.tree),
    )
    return int(count)


async def pending_plans(conn: Connection, principal: Principal, cipher: PersonalDataCipher) -> list[PendingPlan]:
    """Current plans in ``pending_approval`` of cases belonging to the coordinator's organization or
    any organization under it, oldest submission first, each with its case code,
    the survivor's agreement and its milestones (by target date; titles decrypted).

    Only roles that may approve plans over a tree (coordinators) reach the query; anyone else gets
    403, since the queue itself reveals nothing about a particular case. The read is audited like
    every other read of survivor data (case codes are pseudonymous but still survivor data).
    """
    check(principal, Action.APPROVE_PLAN, principal.organization_id)
    rows = await conn.fetch(
        "SELECT p.id AS plan_id, p.number AS plan_number, s.id AS survivor_id, s.case_code, s.organization_id,"
        " p.submitted_at, p.survivor_agreed_at, p.agreement_method"
        f" FROM plan p JOIN survivor s ON s.id = p.survivor_id WHERE {PENDING_WHERE}"
        " ORDER BY p.submitted_at NULLS LAST, s.case_code",
        list(principal.tree),
    )
    milestones: dict[uuid.UUID, list[PendingMilestone]] = {row["plan_id"]: [] for row in rows}
    for m in await conn.fetch(
        "SELECT id, plan_id, domain, target_date, title_enc FROM milestone WHERE plan_id = ANY($1::uuid[])"
        " ORDER BY target_date NULLS LAST, created_at, id",
        list(milestones),
    ):
        milestones[m["plan_id"]].append(
            PendingMilestone(
                milestone_id=m["id"],
                title=free_text.MILESTONE.reveal(cipher, m, "title"),
                domain=m["domain"],
                target_date=m["target_date"],
            )
        )
    await audit.record(
        conn,
        principal,
        "read",
        "plan_approvals",
        None,
        organization_id=principal.organization_id,
        details={"count": len(rows)},
    )
    return [PendingPlan(**dict(row), milestones=milestones[row["plan_id"]]) for row in rows]
