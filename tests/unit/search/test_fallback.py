"""Search keeps answering from PostgreSQL while the external engine is down."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from search.documents import SearchDocument
from search.fallback import FallbackSearch
from search.protocol import SearchQuery, SearchResult


class Engine:
    def __init__(self, name: str, *, down: bool = False) -> None:
        self.name = name
        self.down = down
        self.indexed: list[SearchDocument] = []
        self.queries: list[SearchQuery] = []

    async def index(self, documents: list[SearchDocument]) -> None:
        if self.down:
            raise ConnectionError("down")
        self.indexed += documents

    async def delete(self, service_ids: list[uuid.UUID]) -> None:
        if self.down:
            raise ConnectionError("down")

    async def search(self, query: SearchQuery) -> SearchResult:
        self.queries.append(query)
        if self.down:
            raise ConnectionError("down")
        return SearchResult(hits=[], total=0, facets={}, took_ms=1.0 if self.name == "primary" else 2.0)

    async def ping(self) -> bool:
        return not self.down


async def test_searches_the_engine_while_it_answers_and_postgres_when_it_does_not() -> None:
    primary, fallback = Engine("primary"), Engine("postgres")
    search = FallbackSearch(primary, fallback)
    assert (await search.search(SearchQuery())).took_ms == 1.0
    primary.down = True
    assert (await search.search(SearchQuery())).took_ms == 2.0
    assert await search.ping() is False
    assert search.name == "primary"


async def test_postgres_answers_the_same_query_with_every_filter() -> None:
    primary, fallback = Engine("primary", down=True), Engine("postgres")
    query = SearchQuery(organization_ids=(uuid.uuid4(),), modified_after=datetime(2026, 3, 1, tzinfo=UTC))
    await FallbackSearch(primary, fallback).search(query)
    assert primary.queries == fallback.queries == [query]


async def test_writes_go_to_the_engine_and_fail_loudly_for_the_outbox_to_retry() -> None:
    primary = Engine("primary", down=True)
    search = FallbackSearch(primary, Engine("postgres"))
    with pytest.raises(ConnectionError):
        await search.index([])
