"""The coordinator's approval queue: current plans waiting for approval in the organization tree.

Approving and sending back stay in ``plans.transition_plan``; this module only reads the queue.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from service import audit
from service.auth.models import Principal
from service.auth.permissions import Action, check
from service.db import Connection


class PendingPlan(msgspec.Struct, kw_only=True, frozen=True):
    plan_id: uuid.UUID
    plan_number: int
    survivor_id: uuid.UUID
    case_code: str
    organization_id: uuid.UUID
    submitted_at: datetime | None
    survivor_agreed_at: datetime | None
    agreement_method: str | None
    milestone_count: int


async def pending_plans(conn: Connection, principal: Principal) -> list[PendingPlan]:
    """Current plans in ``pending_approval`` of cases belonging to the coordinator's organization or
    any organization under it, oldest submission first, each with its case code,
    the survivor's agreement and how many milestones it holds.

    Only roles that may approve plans over a tree (coordinators) reach the query; anyone else gets
    403, since the queue itself reveals nothing about a particular case. The read is audited like
    every other read of survivor data (case codes are pseudonymous but still survivor data).
    """
    check(principal, Action.APPROVE_PLAN, principal.organization_id)
    rows = await conn.fetch(
        "SELECT p.id AS plan_id, p.number AS plan_number, s.id AS survivor_id, s.case_code, s.organization_id,"
        " p.submitted_at, p.survivor_agreed_at, p.agreement_method,"
        " (SELECT count(*) FROM milestone m WHERE m.plan_id = p.id) AS milestone_count"
        " FROM plan p JOIN survivor s ON s.id = p.survivor_id"
        " WHERE p.is_current AND p.status = 'pending_approval' AND s.organization_id = ANY($1::uuid[])"
        " ORDER BY p.submitted_at NULLS LAST, s.case_code",
        list(principal.tree),
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
    return [msgspec.convert(row, PendingPlan, from_attributes=True) for row in rows]
