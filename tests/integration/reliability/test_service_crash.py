"""Durability: SIGKILL `ketnoi serve` (as production runs it, on an external database) in the
middle of a burst of listing edits, beds-free updates, new listings, referrals and referral steps
sent by concurrent clients. After a restart every write that got a 2xx is there with its exact
values, version and state, and nothing is half-applied: listings agree with their search
documents and revision histories, referral histories are valid and audited, the audit chain is
intact."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.auth.models import Role
from service.crypto import new_key
from service.db import connect
from tests.integration.conftest import make_actor, make_org
from tests.integration.listings import service_body
from tests.integration.reintegration.world import CASE_BODY
from tests.integration.reliability import figures
from tests.integration.reliability.invariants import all_problems
from tests.integration.reliability.service_process import ServiceProcess
from tests.integration.reliability.workload import (
    ListingCreator,
    ListingWriter,
    ReferralDriver,
    Writer,
    keep_writing,
    settle_and_confirm,
)

LISTING_WRITERS = 4
REFERRAL_DRIVERS = 3
KILL_AFTER_ACKNOWLEDGED = 150
BURST_LIMIT_S = 30.0
# KETNOI_WORKERS=2 passes the same way (docs/reliability.md), but each spawned worker imports the
# whole app again: on two shared cores that adds 5-20 s per start, twice.
WORKERS = 1


@pytest.fixture
async def crash_database(migrated_db: Callable[[str], Awaitable[str]]) -> str:
    return await migrated_db("kn_crash")


async def _old_sessions_gone(conn: asyncpg.Connection, timeout_s: float = 15) -> None:
    """Wait until PostgreSQL has ended the killed workers' sessions: each has then committed or
    rolled back for good, so what we read next is final."""
    deadline = time.monotonic() + timeout_s
    while await conn.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ketnoi'"
    ):
        assert time.monotonic() < deadline, "sessions of the killed service linger"
        await asyncio.sleep(0.05)


async def test_acknowledged_writes_survive_a_sigkill_of_the_service(
    crash_database: str, password_hash: str, tmp_path: Path
) -> None:
    conn = await connect(crash_database)
    try:
        shelter = await make_org(conn, "Nhà Bình Yên (thử độ bền)")
        union = await make_org(conn, "Hội LHPN (thử độ bền)")
        partner = await make_actor(conn, "crash-partner", Role.PARTNER, shelter, password_hash)
        caseworker = await make_actor(conn, "crash-caseworker", Role.CASEWORKER, union, password_hash)
    finally:
        await conn.close()

    service = ServiceProcess(crash_database, new_key(), new_key(), tmp_path / "serve.log", workers=WORKERS)
    started_in = await asyncio.to_thread(service.start)
    try:
        async with httpx.AsyncClient(base_url=service.url, timeout=15) as client:
            listings = []
            for i in range(LISTING_WRITERS + 1):
                created = await client.post(
                    "/api/v1/services", headers=partner.headers, json=service_body(shelter, name=f"Nhà tạm lánh {i}")
                )
                assert created.status_code == 201, created.text
                listings.append(created.json())
            # a case per driver: a referral whose answer was lost is found as its case's untracked one
            cases = []
            for _ in range(REFERRAL_DRIVERS):
                case = await client.post("/api/v1/survivors", headers=caseworker.headers, json=CASE_BODY)
                assert case.status_code == 201, case.text
                consent = await client.post(
                    f"/api/v1/survivors/{case.json()['id']}/consents",
                    headers=caseworker.headers,
                    json={"purpose": "referral", "organization_id": None, "method": "written", "evidence": "phiếu ký"},
                )
                assert consent.status_code == 201, consent.text
                cases.append(case.json()["id"])

            referred = listings.pop()  # referrals go to this one; nobody edits it
            writers: list[Writer] = [
                *(
                    ListingWriter.from_created(client, partner.headers, body, f"L{i}")
                    for i, body in enumerate(listings)
                ),
                *(
                    ReferralDriver(client, caseworker.headers, partner.headers, case_id, referred["id"], f"R{i}")
                    for i, case_id in enumerate(cases)
                ),
                ListingCreator(client, partner.headers, service_body(shelter), "Dịch vụ mới"),
            ]
            acknowledged = [0]
            burst = [asyncio.create_task(keep_writing(writer, acknowledged)) for writer in writers]
            began = time.monotonic()
            while acknowledged[0] < KILL_AFTER_ACKNOWLEDGED and time.monotonic() - began < BURST_LIMIT_S:
                assert not any(task.done() for task in burst), [t.exception() for t in burst if t.done()]
                await asyncio.sleep(0.01)
            await asyncio.to_thread(service.kill)
            killed_after = time.monotonic() - began
            await asyncio.gather(*burst)
    finally:
        service.kill()
    assert acknowledged[0] >= KILL_AFTER_ACKNOWLEDGED, f"only {acknowledged[0]} writes in {BURST_LIMIT_S} s"

    conn = await connect(crash_database)
    try:
        await _old_sessions_gone(conn)
        counts = await settle_and_confirm(writers, conn)
        assert counts["acknowledged_found"] == counts["acknowledged"], counts
        assert await all_problems(conn) == []
    finally:
        await conn.close()

    restarted_in = await asyncio.to_thread(service.start)
    try:
        async with httpx.AsyncClient(base_url=service.url, timeout=15) as client:
            for writer in writers:
                if isinstance(writer, ListingWriter):
                    seen = await client.get(f"/api/v1/services/{writer.listing_id}")
                    assert seen.headers["etag"] == f'"{writer.version}-public"'  # read anonymously
                    assert {k: seen.json()[k] for k in writer.state} == writer.state
                    writer.client = client  # and edits go on from the version that survived
                    assert (await writer.step()).status == 200
                if isinstance(writer, ReferralDriver):
                    for tracked in writer.referrals:
                        seen = await client.get(f"/api/v1/referrals/{tracked.id}", headers=caseworker.headers)
                        assert [e["to_status"] for e in seen.json()["history"]] == tracked.statuses
    finally:
        service.stop()

    figures.record(
        "service_sigkill",
        {
            **counts,
            "writers": len(writers),
            "killed_after_s": round(killed_after, 2),
            "service_start_s": round(started_in, 1),
            "service_restart_s": round(restarted_in, 1),
        },
    )
