"""The state of the mail outbox for operators: what waits and what is dead (``/readyz``,
``ketnoi mail-status``), and giving dead messages another round of attempts (``ketnoi mail-retry``,
the admins' mail page)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg
import msgspec

from service import audit
from service.auth.models import Principal
from service.db import Connection


class Backlog(msgspec.Struct, frozen=True, kw_only=True):
    queued: int
    dead: int
    oldest_age_s: float | None  # of the oldest queued message


async def backlog(conn: Connection) -> Backlog:
    row = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE status = 'queued') AS queued, count(*) FILTER (WHERE status = 'dead') AS dead,"
        " extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'queued')) AS age"
        " FROM mail_outbox WHERE status <> 'sent'"
    )
    assert row is not None
    age = row["age"]
    return Backlog(
        queued=row["queued"], dead=row["dead"], oldest_age_s=round(float(age), 1) if age is not None else None
    )


async def dead_messages(conn: Connection, limit: int = 100) -> list[asyncpg.Record]:
    """The dead messages, newest first: id, recipient's address, kind, attempts, last error, when queued.
    Neither the link (it may hold a one-time token) nor anything else of the event is shown."""
    return list(
        await conn.fetch(
            "SELECT o.id, u.email, o.kind, o.attempts, o.last_error, o.created_at"
            " FROM mail_outbox o JOIN app_user u ON u.id = o.user_id WHERE o.status = 'dead'"
            " ORDER BY o.created_at DESC, o.id DESC LIMIT $1",
            limit,
        )
    )


async def retry_dead(conn: Connection, ids: Sequence[int] | None = None) -> int:
    """Queue dead messages (``ids``, or all) again with a fresh round of attempts; return how many.
    The last error is kept until the next attempt replaces it."""
    result = await conn.execute(
        "UPDATE mail_outbox SET status = 'queued', attempts = 0, next_attempt_at = now()"
        " WHERE status = 'dead' AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))",
        list(ids) if ids is not None else None,
    )
    return int(result.split()[-1])


async def retry_dead_by(conn: Connection, principal: Principal, ids: Sequence[int] | None = None) -> int:
    """An admin's retry from the mail page: ``retry_dead`` with an audit entry saying which and how many."""
    count = await retry_dead(conn, ids)
    details = {"ids": list(ids) if ids is not None else "all", "count": count}
    await audit.record(conn, principal, "mail.retry", "mail_outbox", None, details=details)
    return count
