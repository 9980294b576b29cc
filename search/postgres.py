"""PostgresSearch: full-text search over the ``search_document`` table in the service's own database.

The statement answering a query is built in ``search.postgres_query``; the rows it reads are
written by ``search.postgres_documents``, in the same transaction as the listing they index.
"""

from __future__ import annotations

import time
import uuid

import asyncpg
import msgspec

from search.documents import SearchDocument
from search.postgres_documents import delete_documents, write_documents
from search.postgres_query import DEFAULT_SAMPLING, Sampling, build_search_sql
from search.protocol import FACETS, SearchHit, SearchQuery, SearchResult


class PostgresSearch:
    """The embedded default backend: always consistent, since it reads the system of record."""

    name = "postgres"

    def __init__(self, pool: asyncpg.Pool, sampling: Sampling = DEFAULT_SAMPLING) -> None:
        self._pool = pool
        self._sampling = sampling

    async def index(self, documents: list[SearchDocument]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await write_documents(conn, documents)

    async def delete(self, service_ids: list[uuid.UUID]) -> None:
        async with self._pool.acquire() as conn:
            await delete_documents(conn, service_ids)

    async def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        statement, args = build_search_sql(query, self._sampling)
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(statement, *args)
        assert row is not None
        hits = msgspec.convert(row["hits"], list[SearchHit], strict=False)
        facets = {facet: dict(row[f"facet_{facet}"]) for facet in FACETS}
        return SearchResult(
            hits=hits,
            total=row["total"],
            estimated=row["estimated"],
            pageable=row["pageable"],
            facets=facets,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    async def ping(self) -> bool:
        async with self._pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT true"))
