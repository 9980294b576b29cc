"""Mailing set-password links (auth/set_password.py): the invitation of an account created without
a password (72 hours), and the reset its owner asks for with "Forgot password?" (1 hour).

A reset request gives nothing away: it is throttled per address asked about and per client
whether or not an account uses the address, and its answer takes the same time either way, so
neither the answer nor its timing tells whether an account exists."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import asyncpg

from service import audit, rate_limit
from service.auth import repo, set_password
from service.auth.models import Principal, User
from service.auth.set_password import Purpose
from service.db import Connection, transact
from service.errors import Conflict, TooManyRequests
from service.notify import outbox
from service.notify.kinds import Kind

BUCKET = "password_reset"
WINDOW = timedelta(minutes=15)
# per address asked about: a few tries when a mail is slow to arrive; per client: an office's NAT
LIMITS = {"email": 3, "ip": 20}
# Every answer to a reset request takes at least this long, the time of the slowest honest path
# (finding the account, issuing the link and queueing its mail) with room to spare.
ANSWER_SECONDS = 0.5

_KIND = {Purpose.INVITATION: Kind.INVITATION, Purpose.PASSWORD_RESET: Kind.PASSWORD_RESET}


async def _mail_link(conn: Connection, user_id: uuid.UUID, purpose: Purpose) -> None:
    link = await set_password.issue(conn, user_id, purpose)
    # each link is its own mail: a new invitation is sent even when an earlier one was
    await outbox.send_mail(conn, user_id, _KIND[purpose], link, f"{purpose.value}:{uuid.uuid4()}")


async def invite(conn: Connection, actor: Principal, user: User) -> None:
    """Mail ``user`` a 72-hour link to set their password (their earlier links end), audited as
    ``actor``'s act: ``auth.users.Invite`` for a new account, and ``send_again``."""
    await _mail_link(conn, user.id, Purpose.INVITATION)
    await audit.record(
        conn, actor, "user.invite", "app_user", user.id, organization_id=user.organization_id, details={}
    )


async def send_again(pool: asyncpg.Pool, actor: Principal, user_id: uuid.UUID) -> Purpose:
    """An admin's new link for an active account: the invitation again while it has no password
    (the first mail was lost or its link expired), else a 1-hour reset link (its owner is locked
    out). The earlier link stops working; the account's password stays until the link is used."""

    async def work(conn: Connection) -> Purpose:
        user = await repo.get_user(conn, user_id)
        if not user.active:
            raise Conflict("This user is deactivated; reactivate them first")
        if not await set_password.has_password(conn, user_id):
            await invite(conn, actor, user)
            return Purpose.INVITATION
        await _mail_link(conn, user.id, Purpose.PASSWORD_RESET)
        await audit.record(
            conn, actor, "user.password_reset_sent", "app_user", user.id, organization_id=user.organization_id
        )
        return Purpose.PASSWORD_RESET

    return await transact(pool, work)


async def request_reset(pool: asyncpg.Pool, email: str, client: str) -> None:
    """Mail a 1-hour reset link to the active account using ``email``, if there is one. Raises
    TooManyRequests over the limits, whoever the address belongs to; otherwise the same silence
    either way, after the same time."""
    started = asyncio.get_running_loop().time()
    try:
        await _request_reset(pool, email.strip(), client)
    finally:
        await asyncio.sleep(max(0.0, ANSWER_SECONDS - (asyncio.get_running_loop().time() - started)))


async def _request_reset(pool: asyncpg.Pool, email: str, client: str) -> None:
    keys = [f"email:{email.lower()}", rate_limit.address_key(client)]
    async with pool.acquire() as conn:
        window_start, hits = await rate_limit.count(conn, BUCKET, keys, WINDOW)
    if any(count > LIMITS[key.split(":", 1)[0]] for key, count in hits.items()):
        raise TooManyRequests(
            "Too many requests; try again later", retry_after=rate_limit.seconds_left(window_start, WINDOW)
        )

    async def work(conn: Connection) -> None:
        found = await repo.credentials(conn, email)
        if found is None or not found[0].active:
            return
        user = found[0]
        await _mail_link(conn, user.id, Purpose.PASSWORD_RESET)
        owner = Principal(user_id=user.id, role=user.role, organization_id=user.organization_id)
        await audit.record(
            conn, owner, "user.password_reset_requested", "app_user", user.id, organization_id=user.organization_id
        )

    await transact(pool, work)
