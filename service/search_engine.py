"""Which search engine serves the directory: PostgreSQL alone (embedded default), or Meilisearch
in front of it when KETNOI_MEILI_URL is set, fed by the outbox worker of each replica."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from search.fallback import FallbackSearch
from search.meili import MeiliSearch, merge_synonyms
from search.postgres import PostgresSearch, Sampling
from search.protocol import SearchBackend
from service import places
from service.config import Settings
from service.directory import sync

log = logging.getLogger("ketnoi.search")


def meili_engine(settings: Settings) -> MeiliSearch:
    assert settings.meili_url is not None
    return MeiliSearch(
        settings.meili_url,
        settings.meili_key,
        index_uid=settings.meili_index,
        synonyms=merge_synonyms(places.synonym_groups()),
    )


@asynccontextmanager
async def search_engine(settings: Settings, pool: asyncpg.Pool) -> AsyncIterator[SearchBackend]:
    """The backend for this replica's lifetime, with its sync worker running when external."""
    postgres = PostgresSearch(pool, Sampling.of(settings.search_sample))
    if not settings.meili_url:
        yield postgres
        return
    engine = meili_engine(settings)
    try:
        await engine.setup()
    except Exception as exc:  # the engine may be down at start-up: the outbox keeps changes meanwhile
        log.warning("Meilisearch is not answering at start-up (%r); searching PostgreSQL until it does", exc)
    async with pool.acquire() as conn:
        await sync.set_enabled(conn, True)
    stop = asyncio.Event()
    worker = asyncio.create_task(sync.run(pool, engine, stop), name="search-sync")
    try:
        yield FallbackSearch(engine, postgres)
    finally:
        stop.set()
        await worker
        await engine.aclose()
