"""Searches with nothing to rank (no text, no point) on the demo directory: the directory's opening
page, filter-only lists and "recently updated" pages, which count from an index and page by one
instead of scoring every listing. Each answer is checked against plain SQL over the documents."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from litestar import Litestar

from search.postgres import PostgresSearch
from search.protocol import FACETS, SearchQuery, Sort, Viewer
from tests.integration.directory.search_pages import all_pages

_FACET_COLUMNS = dict(zip(FACETS, ("categories", "provinces", "populations"), strict=True))


async def _expected(
    pool: asyncpg.Pool, where: str, order: str, *args: object
) -> tuple[list[uuid.UUID], dict[str, dict[str, int]]]:
    """Every matching id in ``order`` and the facet counts (each listing once per distinct value)."""
    async with pool.acquire() as conn:
        ids = [
            r["service_id"]
            for r in await conn.fetch(f"SELECT service_id FROM search_document d WHERE {where} ORDER BY {order}", *args)
        ]
        facets: dict[str, dict[str, int]] = {}
        for facet, column in _FACET_COLUMNS.items():
            rows = await conn.fetch(
                f"SELECT k, count(*) AS n FROM search_document d, unnest(ARRAY(SELECT DISTINCT unnest(d.{column}))) k"
                f" WHERE {where} GROUP BY k",
                *args,
            )
            facets[facet] = {r["k"]: r["n"] for r in rows}
    return ids, facets


@pytest.fixture
def backend(demo_app: Litestar) -> PostgresSearch:
    return PostgresSearch(demo_app.state.pool)


@pytest.mark.parametrize(
    ("sort", "order"),
    [(Sort.RELEVANCE, "service_id"), (Sort.DISTANCE, "service_id"), (Sort.UPDATED, "updated_at DESC, service_id")],
)
async def test_the_empty_query_pages_through_every_public_listing_once_in_order(
    demo_app: Litestar, backend: PostgresSearch, sort: Sort, order: str
) -> None:
    where = "d.visibility = 'public' AND d.status <> 'inactive'"
    expected_ids, expected_facets = await _expected(demo_app.state.pool, where, order)
    ids, first = await all_pages(backend, SearchQuery(sort=sort, per_page=50))
    assert first.total == len(expected_ids) >= 300
    assert ids == expected_ids
    assert first.facets == expected_facets


async def test_a_partner_also_counts_and_pages_its_own_staff_only_listings(
    demo_app: Litestar, backend: PostgresSearch
) -> None:
    async with demo_app.state.pool.acquire() as conn:
        org = await conn.fetchval("SELECT organization_id FROM search_document WHERE visibility <> 'public' LIMIT 1")
    assert org is not None, "the demo directory has staff-only listings"
    where = "(d.visibility = 'public' OR d.organization_id = $1) AND d.status <> 'inactive'"
    expected_ids, expected_facets = await _expected(demo_app.state.pool, where, "service_id", org)
    ids, first = await all_pages(backend, SearchQuery(viewer=Viewer(organization_id=org), per_page=100))
    public = await backend.search(SearchQuery())
    assert first.total == len(expected_ids) > public.total
    assert ids == expected_ids
    assert first.facets == expected_facets


async def test_filters_without_text_count_and_page_only_their_matches(
    demo_app: Litestar, backend: PostgresSearch
) -> None:
    where = "d.visibility = 'public' AND d.status <> 'inactive' AND d.categories && $1::text[]"
    expected_ids, expected_facets = await _expected(demo_app.state.pool, where, "service_id", ["shelter"])
    ids, first = await all_pages(backend, SearchQuery(categories=("shelter",), per_page=10))
    assert first.total == len(expected_ids) > 10
    assert ids == expected_ids
    assert first.facets == expected_facets
