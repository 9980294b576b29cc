"""With Meilisearch configured but not answering, the service still starts, searches answer from
PostgreSQL, writes succeed and wait in the outbox, and /readyz says search is degraded."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
import pytest
from litestar import Litestar

from service.app import create_app
from service.auth.models import Role
from service.config import Settings
from service.crypto import new_key
from tests.integration.conftest import make_actor, make_org, serving
from tests.integration.listings import service_body

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens there on this machine


@pytest.fixture(scope="module")
async def outage_app(migrated_db: Callable[[str], Awaitable[str]]) -> AsyncIterator[Litestar]:
    url = await migrated_db("kn_meili_outage")
    settings = Settings(database_url=url, data_key=new_key(), secret_key=new_key(), meili_url=UNREACHABLE)
    async with serving(create_app(settings)) as application:
        yield application


async def test_writes_succeed_searches_fall_back_and_readiness_says_degraded(
    outage_app: Litestar, password_hash: str
) -> None:
    pool: asyncpg.Pool = outage_app.state.pool
    async with pool.acquire() as conn:
        org = await make_org(conn, "Nhà Bình An")
        admin = await make_actor(conn, "outage-admin", Role.ADMIN, None, password_hash)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=outage_app), base_url="http://t") as client:
        created = await client.post(
            "/api/v1/services", headers=admin.headers, json=service_body(org, name="Nhà Bình An tạm lánh")
        )
        assert created.status_code == 201
        found = (await client.get("/api/v1/services", params={"q": "binh an"})).json()
        assert [item["name"] for item in found["items"]] == ["Nhà Bình An tạm lánh"]
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        body = ready.json()
        assert (body["search"], body["search_backend"], body["database"]) == ("degraded", "meilisearch", "ok")
        assert body["search_backlog"] >= 1
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM search_outbox WHERE operation = 'upsert'") >= 1
