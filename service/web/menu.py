"""Where each role's work is: the page a login lands on, and the menu's counts of waiting work
(a partner's referrals to answer, a coordinator's plans to approve and listings to verify, and
everyone's unread notifications)."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from service.auth.models import Principal, Role
from service.db import Connection
from service.directory import verification
from service.notify import centre
from service.reintegration import approvals, referrals

LANDING = {
    Role.PARTNER: "/partner/referrals",
    Role.CASEWORKER: "/cases",
    Role.COORDINATOR: "/dashboard",
    Role.ADMIN: "/admin/users",
}


def landing(role: Role | None) -> str:
    """The page a login without ``?next=`` goes to: the role's work; the search page for an account
    with no role yet (it can see nothing else)."""
    return LANDING.get(role, "/") if role is not None else "/"


class MenuCounts(msgspec.Struct, frozen=True, kw_only=True):
    inbox: int = 0  # referrals waiting for the partner's answer
    approvals: int = 0  # plans waiting for the coordinator's approval in their tree
    verify: int = 0  # listings in scope that need verifying
    unread: int = 0  # the user's unread notifications


NO_COUNTS = MenuCounts()


async def menu_counts(conn: Connection, principal: Principal) -> MenuCounts:
    """The counts the menu shows ``principal``; each count asks the database only for a role that
    has that work (a caseworker: only the unread notifications)."""
    return MenuCounts(
        inbox=await referrals.awaiting_answer_count(conn, principal),
        approvals=await approvals.pending_count(conn, principal),
        verify=await verification.due_count(conn, principal, datetime.now(UTC)),
        unread=await centre.unread_count(conn, principal),
    )
