"""The HSDS list is open to anyone, so what one call costs is bounded: a page's listings load in a
fixed number of queries whatever its size, and an anonymous caller gets a limited number of lists
per window (429 with ``Retry-After``), counted in PostgreSQL so every replica shares the count."""

from __future__ import annotations

import time

import asyncpg
import httpx
from litestar import Litestar

from service.directory.hsds import api as hsds_api
from tests.integration.conftest import Actors
from tests.integration.listings import service_body
from tests.integration.queries import counted_queries


async def test_a_page_of_services_costs_the_same_few_queries_whatever_its_size(
    demo_app: Litestar, demo_client: httpx.AsyncClient
) -> None:
    counts, seconds = {}, {}
    for per_page in (10, 100):
        async with counted_queries(demo_app.state.pool) as queries:
            started = time.perf_counter()
            response = await demo_client.get("/api/v1/hsds/services", params={"per_page": per_page, "full": "true"})
            seconds[per_page] = time.perf_counter() - started
        assert response.status_code == 200, response.text
        assert len(response.json()["contents"]) == per_page
        counts[per_page] = len(queries)
    print(f"HSDS list: queries per page {counts}, seconds {seconds}")
    assert counts[100] == counts[10] <= 6, counts  # the sixth: what imports kept of them (hsds_kept)


async def test_anonymous_lists_are_limited_per_address_and_staff_are_not(
    client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    created = await client.post("/api/v1/services", headers=actors.admin.headers, json=service_body(actors.org))
    assert created.status_code == 201
    for _ in range(hsds_api.ANONYMOUS_LIMIT):
        assert (await client.get("/api/v1/hsds/services")).status_code == 200

    refused = await client.get("/api/v1/hsds/services", params={"per_page": 100})

    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(refused.headers["retry-after"]) <= hsds_api.WINDOW.total_seconds()
    assert (await client.get("/api/v1/hsds/services", headers=actors.partner.headers)).status_code == 200
    assert (await client.get(f"/api/v1/hsds/services/{created.json()['id']}")).status_code == 200
    async with pool.acquire() as conn:
        counted = await conn.fetchval("SELECT sum(hits) FROM rate_limit_hit WHERE bucket = $1", hsds_api.BUCKET)
    assert counted == hsds_api.ANONYMOUS_LIMIT + 1  # in the database every replica reads
