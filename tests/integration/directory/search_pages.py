"""Paging through a search to the end, as a client would: for tests that compare every result."""

from __future__ import annotations

import uuid

import msgspec

from search.protocol import SearchBackend, SearchQuery, SearchResult


async def all_pages(backend: SearchBackend, query: SearchQuery) -> tuple[list[uuid.UUID], SearchResult]:
    """Every hit the pages reach, in order, and the first page's answer; each later page must
    repeat the first one's counts and none may be empty before the last reachable result."""
    first = await backend.search(query)
    ids = [hit.service_id for hit in first.hits]
    page = 1
    while len(ids) < first.reachable:
        page += 1
        result = await backend.search(msgspec.structs.replace(query, page=page))
        assert (result.total, result.reachable, result.facets) == (first.total, first.reachable, first.facets)
        assert result.hits, f"page {page} empty before the last reachable result"
        ids += [hit.service_id for hit in result.hits]
    assert len(ids) == len(set(ids)) == first.reachable
    return ids, first
