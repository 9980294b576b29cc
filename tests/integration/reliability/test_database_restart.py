"""PostgreSQL crashes and comes back while clients keep writing and searching: meanwhile every
request gets a quick 503 problem with Retry-After (no hang, no 500) and /readyz says not ready;
once the database is back the same service process answers again — its pool reconnects by
itself — and no acknowledged write is lost."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest

from service.app import create_app
from service.auth.models import Role
from service.config import Settings
from service.crypto import new_key
from service.db import lost_database
from tests.integration.conftest import make_actor, make_org, serving
from tests.integration.listings import service_body
from tests.integration.reintegration.world import CASE_BODY
from tests.integration.reliability import figures
from tests.integration.reliability.conftest import ControlledPostgres
from tests.integration.reliability.invariants import all_problems
from tests.integration.reliability.workload import ListingWriter, ReferralDriver, Writer, settle_and_confirm

OUTAGE_S = 2.0
HANG_LIMIT_S = 5.0  # no request may take longer than this, outage or not
WRITES_BEFORE = WRITES_AFTER = 30


@dataclass
class Observations:
    """Every answer the clients got: (when, status, seconds taken, problem+json with Retry-After)."""

    answers: list[tuple[float, int, float, bool]] = field(default_factory=list)
    readiness: list[tuple[float, int, str]] = field(default_factory=list)
    acknowledged: int = 0
    stop: bool = False

    def note(self, began: float, response: httpx.Response) -> None:
        clean_503 = (
            response.status_code == 503
            and response.headers.get("content-type", "").startswith("application/problem+json")
            and response.headers.get("retry-after", "").isdigit()
            and response.json()["status"] == 503
        )
        self.answers.append((began, response.status_code, time.monotonic() - began, clean_503))

    def between(self, start: float, end: float) -> list[tuple[float, int, float, bool]]:
        return [a for a in self.answers if start <= a[0] and a[0] + a[2] <= end]


class Recorded(httpx.AsyncBaseTransport):
    """The app's transport, noting every answer."""

    def __init__(self, inner: httpx.AsyncBaseTransport, seen: Observations) -> None:
        self.inner, self.seen = inner, seen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        began = time.monotonic()
        response = await self.inner.handle_async_request(request)
        await response.aread()
        if request.url.path != "/readyz":
            self.seen.note(began, response)
        return response


async def _keep_writing_through(writer: Writer, pool: asyncpg.Pool, seen: Observations) -> None:
    """Write; after a 503, wait for the database and learn whether the write landed (a client
    would reload), then go on."""
    while not seen.stop:
        write = await writer.step()
        seen.acknowledged += write.acknowledged
        while writer.pending is not None:
            try:
                async with pool.acquire() as conn:
                    await writer.settle(conn)
            except Exception as exc:
                if not lost_database(exc):
                    raise
                await asyncio.sleep(0.05)


async def _keep_reading(client: httpx.AsyncClient, listing_id: str, seen: Observations) -> None:
    while not seen.stop:
        await client.get("/api/v1/services", params={"q": "tam lanh"})
        await client.get(f"/api/v1/services/{listing_id}")
        await asyncio.sleep(0.01)


async def _watch_readiness(client: httpx.AsyncClient, seen: Observations) -> None:
    while not seen.stop:
        began = time.monotonic()
        response = await client.get("/readyz")
        seen.readiness.append((began, response.status_code, response.json()["database"]))
        await asyncio.sleep(0.05)


async def _until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    began = time.monotonic()
    while not condition():
        assert time.monotonic() - began < timeout_s, f"{what} did not happen within {timeout_s} s"
        await asyncio.sleep(0.02)


@asynccontextmanager
async def _captured(caplog: pytest.LogCaptureFixture) -> AsyncIterator[None]:
    """Litestar configures the root logger at start-up, dropping pytest's capture: add it back."""
    root = logging.getLogger()
    root.addHandler(caplog.handler)
    try:
        yield
    finally:
        root.removeHandler(caplog.handler)


async def _database(postgres: ControlledPostgres, name: str) -> str:
    admin = await asyncpg.connect(postgres.url("postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return postgres.url(name)


async def test_a_database_restart_answers_503_meanwhile_and_the_service_recovers_by_itself(
    controlled_postgres: ControlledPostgres, password_hash: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = await _database(controlled_postgres, "kn_restart")
    settings = Settings(database_url=url, data_key=new_key(), secret_key=new_key(), pool_min_size=2, pool_max_size=8)
    seen = Observations()
    async with serving(create_app(settings)) as app, _captured(caplog):
        pool: asyncpg.Pool = app.state.pool
        async with pool.acquire() as conn:
            shelter = await make_org(conn, "Nhà tạm lánh (thử khởi động lại)")
            union = await make_org(conn, "Hội LHPN (thử khởi động lại)")
            partner = await make_actor(conn, "restart-partner", Role.PARTNER, shelter, password_hash)
            caseworker = await make_actor(conn, "restart-caseworker", Role.CASEWORKER, union, password_hash)
        transport = Recorded(httpx.ASGITransport(app=app), seen)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            listings = [
                (await client.post("/api/v1/services", headers=partner.headers, json=service_body(shelter))).json()
                for _ in range(4)
            ]
            case = (await client.post("/api/v1/survivors", headers=caseworker.headers, json=CASE_BODY)).json()
            consent = await client.post(
                f"/api/v1/survivors/{case['id']}/consents",
                headers=caseworker.headers,
                json={"purpose": "referral", "organization_id": None, "method": "written", "evidence": "phiếu ký"},
            )
            assert consent.status_code == 201, consent.text
            referred = listings.pop()
            writers: list[Writer] = [
                *(
                    ListingWriter.from_created(client, partner.headers, body, f"L{i}")
                    for i, body in enumerate(listings)
                ),
                ReferralDriver(client, caseworker.headers, partner.headers, case["id"], referred["id"], "R"),
            ]
            tasks = [
                *(asyncio.create_task(_keep_writing_through(w, pool, seen)) for w in writers),
                asyncio.create_task(_keep_reading(client, referred["id"], seen)),
                asyncio.create_task(_watch_readiness(client, seen)),
            ]

            def running(condition: Callable[[], bool]) -> Callable[[], bool]:
                def check() -> bool:
                    failed = [t.exception() for t in tasks if t.done()]
                    assert not failed, failed
                    return condition()

                return check

            try:
                await _until(running(lambda: seen.acknowledged >= WRITES_BEFORE), 30, "writes before the crash")
                crashed = time.monotonic()
                await asyncio.to_thread(controlled_postgres.crash)
                down = time.monotonic()
                await asyncio.sleep(OUTAGE_S)
                restarting = time.monotonic()
                await asyncio.to_thread(controlled_postgres.start)
                back = time.monotonic()
                await _until(
                    running(lambda: any(t > restarting and s == 200 for t, s, _ in seen.readiness)), 10, "readyz 200"
                )
                ready = min(t for t, s, _ in seen.readiness if t > restarting and s == 200)
                acknowledged_at_ready = seen.acknowledged
                await _until(
                    running(lambda: seen.acknowledged >= acknowledged_at_ready + WRITES_AFTER), 30, "writes after"
                )
            finally:
                seen.stop = True
                await asyncio.gather(*tasks, return_exceptions=True)

        async with pool.acquire() as conn:
            counts = await settle_and_confirm(writers, conn)
            problems = await all_problems(conn)

    assert counts["acknowledged_found"] == counts["acknowledged"], counts
    assert problems == []
    outage = seen.between(down, restarting)  # certainly down: stopped, not yet starting
    assert len(outage) >= 10, "the clients kept asking during the outage"
    assert all(status == 503 and clean for _, status, _, clean in outage), {s for _, s, _, _ in outage}
    assert all(200 <= status < 300 or (status == 503 and clean) for _, status, _, clean in seen.answers), {
        s for _, s, _, _ in seen.answers
    }
    assert max(took for _, _, took, _ in seen.answers) < HANG_LIMIT_S
    readiness_down = [(s, db) for t, s, db in seen.readiness if down <= t and t + 0.1 < restarting]
    assert readiness_down and all(r == (503, "down") for r in readiness_down), readiness_down
    logged = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("database unavailable" in r.getMessage() for r in logged), "each 503 leaves one log line"
    assert not [r for r in logged if r.levelno >= logging.ERROR], "no tracebacks: an outage is not a bug"

    figures.record(
        "database_restart",
        {
            **counts,
            "database_stop_s": round(down - crashed, 2),
            "database_down_s": round(restarting - down, 2),
            "database_start_s": round(back - restarting, 2),
            "requests_during_outage": len(outage),
            "answered_503_during_outage": sum(status == 503 for _, status, _, _ in outage),
            "slowest_answer_during_outage_ms": round(1000 * max(took for _, _, took, _ in outage), 1),
            "readyz_200_after_start_began_s": round(ready - restarting, 2),
            "answers_500": sum(status >= 500 and status != 503 for _, status, _, _ in seen.answers),
        },
    )
