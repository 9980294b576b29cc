"""The scheduler every replica runs, acting in one replica per tick: the reminders of the cases
(``reminders``), the listing check-ins (``service.directory.check_ins``) and the daily digest
(``service.notify.digest``).

A tick is one transaction that first takes a transaction-scoped advisory lock: while one replica
ticks, the others' ticks do nothing, and a replica killed mid-tick loses its transaction and its
lock together, so the next tick anywhere does the work again. What has been done is in the data
(notifications by dedupe key, the digest's ``scheduler_job`` row), never in a replica's memory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from service.config import Settings
from service.db import Connection
from service.directory import check_ins
from service.notify import digest
from service.reintegration import reminders

log = logging.getLogger("ketnoi.scheduler")

LOCK_ID = 7_460_211_902_216  # the tick's advisory lock (beside the dashboard's compaction lock)
DIGEST_JOB = "digest"


@dataclass(frozen=True)
class Tick:
    notified: int  # notifications written by the reminders
    digests: int  # digest mails queued
    check_ins: int  # listing check-in mails queued


async def _digest_due(conn: Connection, moment: datetime) -> bool:
    """Whether the digest of ``moment`` is still to queue; marks it done (in the tick's transaction)."""
    done = await conn.fetchval(
        "INSERT INTO scheduler_job (name, done_until) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE"
        " SET done_until = excluded.done_until WHERE scheduler_job.done_until < excluded.done_until"
        " RETURNING true",
        DIGEST_JOB,
        moment,
    )
    return bool(done)


async def tick(
    pool: asyncpg.Pool, now: datetime | None = None, check_in_policy: check_ins.Policy | None = None
) -> Tick | None:
    """One tick: the reminders due, the listing check-ins due (with ``check_in_policy``; the
    running scheduler always has one, a test of the other work may leave them out), and the digest
    once its moment (07:30 in Viet Nam, at or before ``now``) has come. None when another replica
    is ticking."""
    moment = digest.digest_moment(now or datetime.now(UTC))
    async with pool.acquire() as conn, conn.transaction():
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", LOCK_ID):
            return None
        notified = await reminders.remind(conn)
        asked = await check_ins.ask(conn, check_in_policy) if check_in_policy is not None else 0
        digests = await digest.queue_digests(conn, moment) if await _digest_due(conn, moment) else 0
    return Tick(notified=notified, digests=digests, check_ins=asked)


async def run_scheduler(
    pool: asyncpg.Pool, interval_s: float, stop: asyncio.Event, check_in_policy: check_ins.Policy
) -> None:
    """Tick now and every ``interval_s`` seconds until ``stop``."""
    while not stop.is_set():
        try:
            done = await tick(pool, check_in_policy=check_in_policy)
            if done and (done.notified or done.digests or done.check_ins):
                log.info(
                    "reminders: %d notifications, %d digests, %d listing check-ins queued",
                    done.notified,
                    done.digests,
                    done.check_ins,
                )
        # The database itself is away (a cut connection surfaces as InterfaceError): wait and retry.
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("the reminder scheduler cannot reach the database: %r", exc)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)


@asynccontextmanager
async def reminder_scheduler(settings: Settings, pool: asyncpg.Pool) -> AsyncIterator[None]:
    """The scheduler for a replica's lifetime (off when ``reminder_interval`` is 0)."""
    if not settings.reminder_interval:
        yield
        return
    stop = asyncio.Event()
    policy = check_ins.policy(settings)
    task = asyncio.create_task(run_scheduler(pool, settings.reminder_interval, stop, policy), name="reminders")
    try:
        yield
    finally:
        stop.set()
        await task
