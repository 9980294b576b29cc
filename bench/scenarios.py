"""The database-floor side of the non-search scenarios: the service's own domain calls on a pooled
connection (what the endpoint runs minus HTTP, Litestar and JSON), and putting the referrals the
write scenarios move back in a state the next run can start from."""

from __future__ import annotations

import asyncio
import uuid

from bench.dataset import Fixtures
from bench.db_floor import Work
from service.db import Connection, create_pool, transact
from service.directory import listings
from service.directory import repo as directory_repo
from service.reintegration import dashboard, referrals
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
