"""Broad searches in a directory larger than the sample window: ranked from a uniform sample of
the matches, with estimated counts said to be estimates; narrow searches, other orders and
harvesting stay exact. The demo directory (321 listings) stands in for a large one by shrinking the
window to 120 listings; each answer is checked against the exhaustive answer of the same query."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
import msgspec
import pytest
from litestar import Litestar

from search.postgres import PostgresSearch
from search.postgres_query import Sampling
from search.protocol import SearchQuery, Sort
from service.app import create_app
from service.config import Settings
from service.crypto import new_key
from tests.integration.conftest import serving
from tests.integration.directory.search_pages import all_pages

WINDOW = Sampling(window=120, min_hits=15)
BROAD = "tu van"  # "counselling": in about half of the demo listings
NARROW = "hoc nghe"  # "vocational training": a few dozen


async def _window_ids(pool: asyncpg.Pool, window: int) -> set[uuid.UUID]:
    """The first ``window`` listings in the directory's fixed random order."""
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT service_id FROM search_document ORDER BY sample_key LIMIT $1", window)
    return {row["service_id"] for row in rows}


@pytest.fixture
def sampled(demo_app: Litestar) -> PostgresSearch:
    return PostgresSearch(demo_app.state.pool, WINDOW)


@pytest.fixture
def default(demo_app: Litestar) -> PostgresSearch:
    return PostgresSearch(demo_app.state.pool)


@pytest.mark.parametrize("text", [BROAD, NARROW, "tre em", "ho tro", "t"])
async def test_a_directory_within_the_window_is_answered_exactly(default: PostgresSearch, text: str) -> None:
    query = SearchQuery(text=text, per_page=100)
    exact_ids, exact = await all_pages(default, msgspec.structs.replace(query, exhaustive=True))
    ids, result = await all_pages(default, query)
    assert not result.estimated
    assert (result.total, result.reachable, result.facets) == (exact.total, exact.total, exact.facets)
    assert ids == exact_ids


async def test_a_broad_query_ranks_its_sampled_matches_in_exact_order_and_estimates_the_counts(
    demo_app: Litestar, sampled: PostgresSearch
) -> None:
    query = SearchQuery(text=BROAD, per_page=25)
    exact_ids, exact = await all_pages(sampled, msgspec.structs.replace(query, exhaustive=True))
    ids, result = await all_pages(sampled, query)
    window = await _window_ids(demo_app.state.pool, WINDOW.window)

    assert result.estimated and not exact.estimated
    # the reachable results are exactly the matches among the sampled listings, in the order the
    # exhaustive ranking puts them
    assert ids == [service_id for service_id in exact_ids if service_id in window]
    assert WINDOW.min_hits <= result.reachable < exact.total
    # a uniform sample of ~60 matches: the estimate within ±40 % (over 3 standard errors)
    assert abs(result.total - exact.total) <= 0.4 * exact.total
    assert set(result.facets) == set(exact.facets)
    for facet, counts in result.facets.items():
        assert set(counts) <= set(exact.facets[facet])
        biggest = max(exact.facets[facet], key=exact.facets[facet].__getitem__)
        assert abs(counts[biggest] - exact.facets[facet][biggest]) <= 0.5 * exact.facets[facet][biggest]
    again = await sampled.search(query)
    assert (again.total, again.facets, again.hits) == (result.total, result.facets, result.hits)


async def test_a_narrow_query_is_ranked_and_counted_over_every_match(sampled: PostgresSearch) -> None:
    query = SearchQuery(text=NARROW, per_page=10)
    exact_ids, exact = await all_pages(sampled, msgspec.structs.replace(query, exhaustive=True))
    ids, result = await all_pages(sampled, query)
    assert not result.estimated
    assert 0 < exact.total < WINDOW.window  # the precondition: narrow, yet more than a page
    assert (result.total, result.reachable, result.facets) == (exact.total, exact.total, exact.facets)
    assert ids == exact_ids


@pytest.mark.parametrize(
    "changes",
    [{"sort": Sort.UPDATED}, {"near": (21.03, 105.85)}, {"near": (10.03, 105.78), "sort": Sort.DISTANCE}],
    ids=["newest first", "near a point", "nearest first"],
)
async def test_time_and_distance_orders_always_see_every_match(
    sampled: PostgresSearch, changes: dict[str, object]
) -> None:
    query = SearchQuery(text=BROAD, per_page=100, **changes)  # type: ignore[arg-type]
    exact_ids, exact = await all_pages(sampled, msgspec.structs.replace(query, exhaustive=True))
    ids, result = await all_pages(sampled, query)
    assert not result.estimated
    assert (result.total, result.facets, ids) == (exact.total, exact.facets, exact_ids)


async def test_the_api_and_the_search_page_say_when_counts_are_estimates(
    demo_app: Litestar, demo_client: httpx.AsyncClient, demo_database: str
) -> None:
    exact = (await demo_client.get("/api/v1/services", params={"q": BROAD})).json()
    assert exact["estimated"] is False and exact["pageable"] == exact["total"] > 20
    page = await demo_client.get("/", params={"q": BROAD}, headers={"accept-language": "en"})
    assert f"{exact['total']} results" in page.text and "About" not in page.text
    assert '<span class="count" id="n-category-' in page.text and "≈" not in page.text

    # the same directory served by a replica configured with a 120-listing window
    small = create_app(
        Settings(
            database_url=demo_database,
            data_key=new_key(),
            secret_key=new_key(),
            search_sample=WINDOW.window,
            pool_min_size=1,
            pool_max_size=2,
        )
    )
    async with serving(small), httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://t") as c:
        body = (await c.get("/api/v1/services", params={"q": BROAD, "per_page": 100})).json()
        assert body["estimated"] is True and len(body["items"]) == body["pageable"] < body["total"]
        first = await c.get("/", params={"q": BROAD}, headers={"accept-language": "en"})
        assert ">Next<" in first.text
        last = (body["pageable"] - 1) // 20 + 1
        page = await c.get("/", params={"q": BROAD, "page": last}, headers={"accept-language": "en"})
        assert f"About {body['total']} results" in page.text
        assert '">≈' in page.text, "facet counts are marked as estimates too"
        assert ">Next<" not in page.text, "no page beyond the sampled results is offered"
        viet = await c.get("/", params={"q": BROAD}, headers={"accept-language": "vi"})
        assert f"Khoảng {body['total']} kết quả" in viet.text
        hsds = (await c.get("/api/v1/hsds/services", params={"q": BROAD, "per_page": 100})).json()
        assert hsds["total_items"] == exact["total"], "a harvester counts and pages every match"
