"""What the reintegration use cases tell people (issue 16, the notification centre), written in the
same transaction as the change that causes it, so that both commit or neither does.

Who is told is worked out from who may read the record (``readers``, with the rules of
service/auth/permissions.py), never from who happens to be around: a partner of another
organization or a coordinator of another tree is never told. The one acting is not told of their
own step. What is passed on is a kind, a link to the page to act on and a dedupe key — nothing of
the case (no name, contact, case code, summary or note)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg

from service.auth.audience import users_allowed
from service.auth.models import Principal, Role
from service.auth.permissions import Action
from service.db import Connection
from service.notify import outbox
from service.notify.kinds import Kind
from service.reintegration.case_repo import CaseRow
from service.reintegration.referral_models import ReferralStatus

# what the referring side is told when the receiving side moves its referral on
ANSWER_KINDS = {
    ReferralStatus.ACCEPTED: Kind.REFERRAL_ACCEPTED,
    ReferralStatus.DECLINED: Kind.REFERRAL_DECLINED,
    ReferralStatus.COMPLETED: Kind.REFERRAL_COMPLETED,
}


@dataclass(frozen=True)
class Readers:
    """Who may read a record of a case, by side: the receiving organization's partners (a
    referral's only) and the case's side (its assigned caseworker and the coordinators whose tree
    holds its organization), each with their role."""

    receiving: dict[uuid.UUID, Role]
    case_side: dict[uuid.UUID, Role]

    def case_side_with(self, role: Role) -> set[uuid.UUID]:
        return {user for user, has in self.case_side.items() if has is role}


async def readers(
    conn: Connection,
    case_organization: uuid.UUID,
    assigned_caseworker: uuid.UUID | None,
    receiving_organization: uuid.UUID | None = None,
) -> Readers:
    """The users allowed to see a referral (to ``receiving_organization``) or a plan (none) of a case
    of ``case_organization`` assigned to ``assigned_caseworker``: the receiver as ``referrals._side``
    lets it in, the case's side as reading the case (``scope.case_for``) and referring do."""
    receiving = (
        await users_allowed(conn, Action.RESPOND_TO_REFERRAL, receiving_organization)
        if receiving_organization is not None
        else {}
    )
    action = Action.REFER if receiving_organization is not None else Action.VIEW_CASE
    case_side = await users_allowed(conn, action, case_organization, assigned_to=assigned_caseworker)
    return Readers(receiving=receiving, case_side=case_side)


async def _referral_readers(conn: Connection, row: asyncpg.Record) -> Readers:
    return await readers(
        conn, row["case_organization_id"], row["assigned_caseworker_id"], row["receiving_organization_id"]
    )


async def _tell(
    conn: Connection, actor: Principal, users: Iterable[uuid.UUID], kind: Kind, link: str, key: str, about: str = ""
) -> None:
    await outbox.notify(conn, (user for user in users if user != actor.user_id), kind, link, key, about=about)


async def referral_sent(conn: Connection, actor: Principal, row: asyncpg.Record, listing: str) -> None:
    """A referral arrived: its receiving organization's partners, to answer it; and when it went
    under an emergency override, the coordinators over the case, who should know one was used.
    ``listing``: the name of the listing it went to, what the notices are about."""
    who = await _referral_readers(conn, row)
    await _tell(
        conn,
        actor,
        who.receiving,
        Kind.REFERRAL_RECEIVED,
        f"/partner/referrals/{row['id']}",
        _key(row, "sent"),
        listing,
    )
    if row["emergency_approved_by"] is not None:
        overseers = await users_allowed(conn, Action.EMERGENCY_OVERRIDE, row["case_organization_id"])
        await _tell(
            conn,
            actor,
            set(overseers) & set(who.case_side),
            Kind.EMERGENCY_OVERRIDE,
            f"/referrals/{row['id']}",
            _key(row, "emergency_override"),
            listing,
        )


async def referral_moved(
    conn: Connection, actor: Principal, row: asyncpg.Record, to_status: ReferralStatus, listing: str
) -> None:
    """The receiving side answered (accepted, declined) or completed: the referring caseworker is
    told, on the referral's page, which says the coded reason in words (the notification carries no
    reason). An expiry is no step anyone takes (``workflow.EXPIRED_SQL`` derives it from the due
    time): the scheduler tells it to both sides (service/reintegration/reminders.py)."""
    kind = ANSWER_KINDS.get(to_status)
    if kind is None:
        return
    # only the referring side is told: the receiving side's readers are not looked up
    case_side = await users_allowed(
        conn, Action.REFER, row["case_organization_id"], assigned_to=row["assigned_caseworker_id"]
    )
    referrers = {user for user, role in case_side.items() if role is Role.CASEWORKER}
    if row["created_by"] in case_side:  # a coordinator who referred the case themselves
        referrers.add(row["created_by"])
    link, key = f"/referrals/{row['id']}", _key(row, to_status.value)
    await _tell(conn, actor, referrers, kind, link, key, listing)


def _key(row: asyncpg.Record, event: str) -> str:
    return f"referral:{row['id']}:{event}"


async def plan_moved(
    conn: Connection, actor: Principal, case: CaseRow, plan_id: uuid.UUID, action: str, event: str
) -> None:
    """A plan was submitted for approval (the coordinators whose tree holds the case, on their
    approval queue), or approved or sent back (the case's caseworker, on the case's plan).
    ``event`` tells one submission of the same plan from the next in the dedupe key."""
    who = await readers(conn, case.organization_id, case.assigned_caseworker_id)
    key = f"plan:{plan_id}:{action}:{event}"
    if action == "submit":
        approvers = await users_allowed(conn, Action.APPROVE_PLAN, case.organization_id)
        users = set(approvers) & set(who.case_side)
        await _tell(conn, actor, users, Kind.PLAN_AWAITING_APPROVAL, "/dashboard/approvals", key)
    elif action in PLAN_KINDS:
        caseworkers = who.case_side_with(Role.CASEWORKER)
        await _tell(conn, actor, caseworkers, PLAN_KINDS[action], f"/cases/{case.id}#plan", key)


PLAN_KINDS = {"approve": Kind.PLAN_APPROVED, "send-back": Kind.PLAN_SENT_BACK}
