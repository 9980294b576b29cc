"""The outbox that feeds an external search engine: queued in the listing's transaction, sent in
batches, deleted only after the engine acknowledged, retried with backoff when it is down."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import asyncpg
import httpx

from search.documents import SearchDocument
from search.protocol import SearchQuery, SearchResult
from service.directory import search_index
from tests.integration.conftest import Actors
from tests.integration.listings import service_body


class RecordingEngine:
    """Stands in for the engine's network side only; what it receives is what Meilisearch would."""

    name = "recording"

    def __init__(self) -> None:
        self.indexed: list[SearchDocument] = []
        self.deleted: list[uuid.UUID] = []
        self.down = False

    async def index(self, documents: list[SearchDocument]) -> None:
        if self.down:
            raise ConnectionError("engine unreachable")
        await asyncio.sleep(0.01)
        self.indexed += documents

    async def delete(self, service_ids: list[uuid.UUID]) -> None:
        if self.down:
            raise ConnectionError("engine unreachable")
        self.deleted += service_ids

    async def search(self, query: SearchQuery) -> SearchResult:
        raise NotImplementedError

    async def ping(self) -> bool:
        return not self.down


async def queued(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    async with pool.acquire() as conn:
        return list(await conn.fetch("SELECT * FROM search_outbox ORDER BY id"))


async def enable(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await search_index.set_enabled(conn, True)


async def create(client: httpx.AsyncClient, actors: Actors, **overrides: object) -> str:
    response = await client.post(
        "/api/v1/services", headers=actors.admin.headers, json=service_body(actors.org, **overrides)
    )
    assert response.status_code == 201
    return str(response.json()["id"])


async def test_nothing_is_queued_without_an_external_engine(
    client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    await create(client, actors)
    assert await queued(pool) == []


async def test_changes_are_queued_with_the_write_and_sent_once_acknowledged(
    client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    await enable(pool)
    service_id = await create(client, actors)
    await client.patch(f"/api/v1/services/{service_id}", headers=actors.admin.headers, json={"name": "Tên mới"})
    assert [row["operation"] for row in await queued(pool)] == ["upsert", "upsert"]
    engine = RecordingEngine()
    assert await search_index.drain_once(pool, engine) == 2
    assert [str(doc.service_id) for doc in engine.indexed] == [service_id]  # coalesced: one document, the latest
    assert engine.indexed[0].name == "Tên mới"
    assert engine.indexed[0].staff_points  # the adapter, not the outbox, keeps them out of the engine
    assert await queued(pool) == []


async def test_a_failed_send_keeps_the_rows_and_backs_off(
    client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    await enable(pool)
    engine = RecordingEngine()
    engine.down = True
    service_id = await create(client, actors)  # the write succeeds while the engine is down
    assert await search_index.drain_once(pool, engine) == 0
    [row] = await queued(pool)
    assert row["attempts"] == 1 and "unreachable" in row["last_error"]
    assert await search_index.drain_once(pool, engine) == 0  # not due yet: nothing is retried at once
    assert (await queued(pool))[0]["attempts"] == 1
    engine.down = False
    async with pool.acquire() as conn:
        await conn.execute("UPDATE search_outbox SET next_attempt_at = now()")
    assert await search_index.drain_once(pool, engine) == 1
    assert [str(doc.service_id) for doc in engine.indexed] == [service_id]
    assert await queued(pool) == []


async def test_replicas_draining_together_take_disjoint_batches(
    client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    await enable(pool)
    created = {await create(client, actors, name=f"Dịch vụ {i}") for i in range(6)}
    first, second = RecordingEngine(), RecordingEngine()
    sent = await asyncio.gather(
        search_index.drain_once(pool, first, limit=3), search_index.drain_once(pool, second, limit=3)
    )
    assert sorted(sent) == [3, 3]
    one = {str(doc.service_id) for doc in first.indexed}
    two = {str(doc.service_id) for doc in second.indexed}
    assert not one & two
    assert one | two == created


async def test_a_deleted_listing_is_removed_from_the_engine(
    client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    await enable(pool)
    service_id = await create(client, actors)
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM search_document WHERE service_id = $1", uuid.UUID(service_id))
    engine = RecordingEngine()
    await search_index.drain_once(pool, engine)
    assert [str(sid) for sid in engine.deleted] == [service_id]
    assert engine.indexed == []


def test_backoff_doubles_and_is_capped() -> None:
    assert [search_index.backoff(n) for n in (1, 2, 3)] == [
        timedelta(seconds=1),
        timedelta(seconds=2),
        timedelta(seconds=4),
    ]
    assert search_index.backoff(30) == timedelta(minutes=5)
