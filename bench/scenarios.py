"""The database-floor side of the non-search scenarios: the service's own domain calls on a pooled
connection (what the endpoint runs minus HTTP, Litestar and JSON), putting the referrals the
write scenarios move back in a state the next run can start from, and the fresh sent referrals the
answer scenario accepts (an accept cannot be undone, so each run answers referrals of its own, and
takes them away again once measured)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from bench.dataset import Fixtures
from bench.db_floor import Work
from service.db import Connection, create_pool, transact
from service.directory import listings
from service.directory import repo as directory_repo
from service.reintegration import dashboard, free_text, referrals
from service.reintegration.referral_models import TransitionRequest


def detail(fx: Fixtures) -> Work:
    async def run(conn: Connection, n: int) -> object:
        return await directory_repo.get_service(conn, fx.listings[n % len(fx.listings)])

    return run


def dashboard_of(fx: Fixtures) -> Work:
    who = fx.coordinator

    async def run(conn: Connection, n: int) -> object:
        async with conn.transaction():
            return await dashboard.dashboard(conn, who, fx.cipher)

    return run


def hold_or_resume(n: int, count: int) -> str:
    """The n-th step of the hold / resume cycle over ``count`` referrals (as bench/wrk/transitions.lua)."""
    return "hold" if (n // count) % 2 == 0 else "resume"


def transitions(fx: Fixtures) -> Work:
    who = fx.partner

    async def run(conn: Connection, n: int) -> object:
        referral = fx.referrals[n % len(fx.referrals)]
        async with conn.transaction():
            return await referrals.transition(
                conn, who, fx.cipher, referral, hold_or_resume(n, len(fx.referrals)), TransitionRequest()
            )

    return run


def answers(fx: Fixtures, sent: list[uuid.UUID]) -> Work:
    """The partner accepts referrals sent to it, each once: the referring caseworker is told (a
    notification and a mail outbox row, in the transition's transaction)."""
    who = fx.partner

    async def run(conn: Connection, n: int) -> object:
        async with conn.transaction():
            return await referrals.transition(conn, who, fx.cipher, sent[n % len(sent)], "accept", TransitionRequest())

    return run


# more referrals than one run can answer: a run that ran out would answer 409 (counted as non-2xx)
ANSWERS_PER_S = 1_000
_REFERRAL = ("id", "survivor_id", "milestone_id", "service_id", "receiving_organization_id",
             "referring_organization_id", "created_by", "consent_id", "urgency", "shared_summary_enc", "status",
             "sent_at", "due_at")  # fmt: skip


async def sent_referrals(url: str, fx: Fixtures, count: int) -> list[uuid.UUID]:
    """``count`` new referrals sent to the bench partner, each a copy of one it holds in progress
    (the same case, consent, listing and referring caseworker) with its summary sealed under the new
    id and its "sent" event, due in a week."""
    conn = await asyncpg.connect(url)
    try:
        like = await conn.fetch(
            "SELECT r.survivor_id, r.milestone_id, r.service_id, r.receiving_organization_id,"
            " r.referring_organization_id, r.created_by, r.consent_id, r.urgency FROM referral r"
            " JOIN consent c ON c.id = r.consent_id WHERE r.id = ANY($1::uuid[])"
            " AND c.withdrawn_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > now())",
            fx.referrals,
        )
        now = datetime.now(UTC)
        rows, events = [], []
        for n in range(count):
            referral, copied = uuid.uuid4(), like[n % len(like)]
            summary = free_text.REFERRAL.seal(fx.cipher, referral, "shared_summary", "Cần hỗ trợ theo kế hoạch.")
            rows.append((referral, *copied, summary, "sent", now, now + timedelta(days=7)))
            events.append((referral, "sent", copied["created_by"], now))
        async with conn.transaction():
            await conn.copy_records_to_table("referral", records=rows, columns=_REFERRAL)
            await conn.copy_records_to_table(
                "referral_event", records=events, columns=("referral_id", "to_status", "actor_id", "at")
            )
        await conn.execute("ANALYZE referral")
        return [row[0] for row in rows]
    finally:
        await conn.close()


async def remove_referrals(url: str, ids: list[uuid.UUID]) -> None:
    """Take away the referrals ``sent_referrals`` added (answered or not) with their history,
    notifications and mail, once their scenario is measured. Left behind, they piled up at ~22,000 a
    run under the bench partner's few listings, and every figure that reads referrals drifted with
    them: after a day of runs the dashboard's partner outcomes took 133 ms where they took 21. The
    dashboard's maintained counts follow the delete (migration 0009's triggers); the audit log keeps
    its entries, as it always does."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            for table in ("notification", "mail_outbox"):  # their dedupe key is referral:<id>:<event>
                await conn.execute(
                    f"DELETE FROM {table} WHERE dedupe_key LIKE 'referral:%'"
                    " AND split_part(dedupe_key, ':', 2) = ANY($1::text[])",
                    [str(referral) for referral in ids],
                )
            await conn.execute("DELETE FROM referral WHERE id = ANY($1::uuid[])", ids)
        await conn.execute("ANALYZE referral")
    finally:
        await conn.close()


def capacity(fx: Fixtures) -> Work:
    who = fx.admin  # beds free across the directory (a coordinator may edit only its own tree's)

    async def run(conn: Connection, n: int) -> object:
        async with conn.transaction():
            return await listings.set_capacity(conn, who, fx.shelters[n % len(fx.shelters)], n % 21)

    return run


async def settle_referrals(url: str, fx: Fixtures) -> int:
    """Resume, through the use case, every cycled referral left on hold; returns how many."""
    pool = await create_pool(url, min_size=1, max_size=8)
    try:
        async with pool.acquire() as conn:
            held: list[uuid.UUID] = [
                row["id"]
                for row in await conn.fetch(
                    "SELECT id FROM referral WHERE id = ANY($1::uuid[]) AND status = 'on_hold'", fx.referrals
                )
            ]
        who = fx.partner
        semaphore = asyncio.Semaphore(8)

        async def resume(referral: uuid.UUID) -> None:
            async with semaphore:
                await transact(pool, referrals.transition, who, fx.cipher, referral, "resume", TransitionRequest())

        await asyncio.gather(*(resume(referral) for referral in held))
        return len(held)
    finally:
        await pool.close()
