"""Coordinators verify listings from a queue that puts the least trustworthy first."""

from __future__ import annotations

import asyncpg
import httpx

from tests.integration.conftest import Actors
from tests.integration.listings import create_listing, stored
from tests.integration.pages.conftest import Browser, text


async def test_never_verified_listings_come_first_and_verifying_clears_the_badge(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    checked = await create_listing(client, actors, actors.org, name="Đã kiểm tra trước")
    never = await create_listing(client, actors, actors.other_org, name="Chưa ai kiểm tra")
    verified = await client.post(f"/api/v1/services/{checked['id']}/verify", headers=actors.coordinator.headers)
    assert verified.status_code == 200
    async with pool.acquire() as conn:  # verified long ago: stale again, but less so than never
        await conn.execute(
            "UPDATE service SET last_verified_at = now() - interval '400 days' WHERE id = $1::uuid", checked["id"]
        )
    await browser.login(actors.coordinator)
    queue = await browser.get("/verify")
    assert queue.status_code == 200
    page = text(queue)
    assert page.index("Chưa ai kiểm tra") < page.index("Đã kiểm tra trước")
    assert page.count("Needs verification") == 2 and "Never" in page
    done = await browser.submit(f"/verify/{never['id']}", {"next": "/verify?page=1"})
    assert done.status_code == 303 and done.headers["location"] == f"/verify?page=1&verified={never['id']}"
    assert (await stored(pool, never["id"]))["last_verified_at"] is not None
    after = text(await browser.get(done.headers["location"]))
    assert "“Chưa ai kiểm tra” is marked verified." in after
    table = after.split("is marked verified.", 1)[1]
    assert table.count("Needs verification") == 1 and table.index("Đã kiểm tra trước") < table.index("Chưa ai kiểm tra")
    assert "Not verified for 6 months" not in text(await browser.get(f"/services/{never['id']}"))


async def test_only_coordinators_and_admins_verify(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    listing = await create_listing(client, actors, actors.org)
    for actor in (actors.partner, actors.caseworker):
        await browser.login(actor)
        assert (await browser.get("/verify")).status_code == 403
        assert (await browser.submit(f"/verify/{listing['id']}")).status_code == 403
    assert (await stored(pool, listing["id"]))["last_verified_at"] is None
    await browser.login(actors.admin)
    assert (await browser.get("/verify")).status_code == 200
    assert (await browser.submit(f"/verify/{listing['id']}", {"next": "https://evil.example/"})).headers[
        "location"
    ] == f"/verify?verified={listing['id']}"
