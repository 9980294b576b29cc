"""An external engine in front, PostgreSQL behind: searches fall back to PostgresSearch (always
consistent, same database) while the engine does not answer, so an outage degrades search
instead of breaking it."""

from __future__ import annotations

import logging
import uuid

from search.documents import SearchDocument
from search.protocol import SearchBackend, SearchQuery, SearchResult

log = logging.getLogger("ketnoi.search")


class FallbackSearch:
    def __init__(self, primary: SearchBackend, fallback: SearchBackend) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = primary.name

    async def index(self, documents: list[SearchDocument]) -> None:
        await self.primary.index(documents)

    async def delete(self, service_ids: list[uuid.UUID]) -> None:
        await self.primary.delete(service_ids)

    async def search(self, query: SearchQuery) -> SearchResult:
        try:
            return await self.primary.search(query)
        except Exception as exc:  # whatever the engine's failure, the database still answers
            log.warning("%s unavailable, searching PostgreSQL instead: %r", self.primary.name, exc)
            return await self.fallback.search(query)

    async def ping(self) -> bool:
        return await self.primary.ping()
