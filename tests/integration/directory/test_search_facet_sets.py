"""Facet sets (the distinct category/province/population combinations search counts by) are shared
by every listing with the same values: writing a listing reads its set without locking it, and two
writers adding the same new combination at the same time both succeed with one set between them."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec

from service.auth.models import Principal, Role
from service.directory import listings
from service.directory.models import ServiceCreate
from tests.integration.conftest import Actors
from tests.integration.listings import service_body

ADMIN = Principal(user_id=None, role=Role.ADMIN, organization_id=None)


def _listing(actors: Actors, name: str, province: str) -> ServiceCreate:
    body = service_body(actors.org, name=name, categories=["legal_aid", "shelter"], service_areas=[province])
    return msgspec.convert(body, ServiceCreate)


async def _facet_set(conn: asyncpg.Connection, name: str) -> int:
    return int(await conn.fetchval("SELECT facet_set FROM search_document WHERE name = $1", name))


async def test_two_writers_adding_the_same_new_combination_share_one_facet_set(
    pool: asyncpg.Pool, actors: Actors
) -> None:
    first, second = _listing(actors, "Trợ giúp A", "96"), _listing(actors, "Trợ giúp B", "96")
    async with pool.acquire() as one, pool.acquire() as two:
        before = await one.fetchval("SELECT count(*) FROM search_facet_set")
        writing = one.transaction()
        await writing.start()
        await listings.create_service(one, ADMIN, first)
        # the second writer meets the first one's uncommitted set and waits for it
        racing = two.transaction()
        await racing.start()
        blocked = asyncio.create_task(listings.create_service(two, ADMIN, second))
        await asyncio.sleep(0.3)
        assert not blocked.done(), "the second writer should wait on the first one's new facet set"
        await writing.commit()
        await asyncio.wait_for(blocked, 10)
        await racing.commit()
        assert await _facet_set(one, "Trợ giúp A") == await _facet_set(one, "Trợ giúp B")
        assert await one.fetchval("SELECT count(*) FROM search_facet_set") == before + 1


async def test_writing_a_listing_with_a_known_combination_does_not_lock_its_facet_set(
    pool: asyncpg.Pool, actors: Actors
) -> None:
    async with pool.acquire() as conn:
        await listings.create_service(conn, ADMIN, _listing(actors, "Trợ giúp C", "01"))
        shared = await _facet_set(conn, "Trợ giúp C")
        version = await conn.fetchval("SELECT xmin::text FROM search_facet_set WHERE id = $1", shared)
    async with pool.acquire() as holder, pool.acquire() as writer:
        # another writer holds the lock an update of the set's row takes (as every listing write
        # once did); a writer of a listing alike must not queue behind it
        held = holder.transaction()
        await held.start()
        await holder.execute("SELECT 1 FROM search_facet_set WHERE id = $1 FOR NO KEY UPDATE", shared)
        try:
            async with writer.transaction():
                await asyncio.wait_for(listings.create_service(writer, ADMIN, _listing(actors, "Trợ giúp D", "01")), 5)
        finally:
            await held.rollback()
        assert await _facet_set(writer, "Trợ giúp D") == shared
        assert await writer.fetchval("SELECT xmin::text FROM search_facet_set WHERE id = $1", shared) == version
