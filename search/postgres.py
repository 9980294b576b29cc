"""PostgresSearch: full-text search over the ``search_document`` table in the service's own database.

The statement answering a query is built in ``search.postgres_query``; the rows it reads are
written by ``search.postgres_documents``, in the same transaction as the listing they index.
Slips are corrected against the directory's own vocabulary (``search.spelling``), read from the
public documents in the background at start-up and again when it is older than ``VOCABULARY_TTL``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid

import asyncpg
import msgspec

from search.documents import SearchDocument
from search.postgres_documents import delete_documents, write_documents
from search.postgres_query import DEFAULT_SAMPLING, Sampling, build_search_sql
from search.protocol import FACETS, SearchHit, SearchQuery, SearchResult
from search.spelling import Vocabulary, as_written, correct
from search.text import phone_number, typed_words

log = logging.getLogger("ketnoi.search")

# Only public listings' words: a suggestion must not reveal what a staff-only listing says.
_PUBLIC = "FROM search_document WHERE visibility = ''public'' AND status <> ''inactive''"
_WORDS = f"SELECT word, ndoc FROM ts_stat('SELECT terms {_PUBLIC}')"
_NAME_PAIRS = f"SELECT word FROM ts_stat('SELECT name_terms {_PUBLIC}') WHERE strpos(word, '_') > 0"
VOCABULARY_TTL = 300.0  # seconds a vocabulary serves before it is read again (in the background)
_NO_WORDS = Vocabulary({})


class PostgresSearch:
    """The embedded default backend: always consistent, since it reads the system of record."""

    name = "postgres"

    def __init__(self, pool: asyncpg.Pool, sampling: Sampling = DEFAULT_SAMPLING) -> None:
        self._pool = pool
        self._sampling = sampling
        self._vocabulary: Vocabulary | None = None
        self._read_at = 0.0
        self._reading: asyncio.Task[None] | None = None

    async def index(self, documents: list[SearchDocument]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await write_documents(conn, documents)

    async def delete(self, service_ids: list[uuid.UUID]) -> None:
        async with self._pool.acquire() as conn:
            await delete_documents(conn, service_ids)

    async def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        typed = typed_words(query.text)
        corrected = None
        if typed and phone_number(query.text) is None:
            spelled = correct(typed, self.vocabulary())
            corrected = spelled.tokens if spelled.changed else None
        statement, args = build_search_sql(query, self._sampling, corrected)
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
            did_you_mean=as_written(corrected, _names(hits)) if corrected else None,
        )

    def vocabulary(self) -> Vocabulary:
        """The directory's words as last read, empty (nothing corrected) until the first read ends;
        reading, at start-up or when the last read is older than ``VOCABULARY_TTL``, happens in the
        background, so no search waits for it (at 100,000 listings it takes seconds)."""
        if self._vocabulary is None or time.monotonic() - self._read_at > VOCABULARY_TTL:
            self.read_vocabulary_soon()
        return self._vocabulary or _NO_WORDS

    def read_vocabulary_soon(self) -> None:
        """Start reading the vocabulary in the background, unless a read is under way."""
        if self._reading is None:
            self._reading = asyncio.create_task(self.read_vocabulary(), name="search-vocabulary")

    async def stop_reading(self) -> None:
        """Cancel a read under way (the service is stopping)."""
        if self._reading is not None:
            self._reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading

    async def read_vocabulary(self) -> None:
        """Read the words of the public documents now (``read_vocabulary_soon`` in the background)."""
        try:
            async with self._pool.acquire() as conn:
                counts = await conn.fetch(_WORDS)
                name_pairs = await conn.fetch(_NAME_PAIRS)
            self._vocabulary = Vocabulary({r["word"]: r["ndoc"] for r in counts}, [r["word"] for r in name_pairs])
        except Exception as exc:  # the last vocabulary keeps serving; a later search tries again
            log.warning("could not read the search vocabulary: %r", exc)
        finally:
            self._read_at = time.monotonic()
            if self._reading is asyncio.current_task():
                self._reading = None

    async def ping(self) -> bool:
        async with self._pool.acquire() as conn:
            return bool(await conn.fetchval("SELECT true"))


def _names(hits: list[SearchHit]) -> list[str]:
    """What a suggestion's diacritics are read from: the names of the listings found."""
    return [name for hit in hits for name in (hit.name, hit.organization_name)]
