"""Coordinators verify listings from a queue that puts the least trustworthy first."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import httpx

from service.auth.repo import principal_for_user
from service.directory import verification
from tests.integration.conftest import Actor, Actors, make_org
from tests.integration.listings import create_listing, stored
from tests.integration.pages.conftest import Browser, text


def who(actor: Actor) -> uuid.UUID:
    assert actor.user_id is not None
    return actor.user_id


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
    assert page.count("Never verified") == 1 and page.count("Not verified in the last 6 months") == 1
    done = await browser.submit(f"/verify/{never['id']}", {"next": "/verify?page=1"})
    assert done.status_code == 303 and done.headers["location"] == f"/verify?page=1&verified={never['id']}"
    assert (await stored(pool, never["id"]))["last_verified_at"] is not None
    after = text(await browser.get(done.headers["location"]))
    assert "“Chưa ai kiểm tra” is marked verified." in after
    table = after.split("is marked verified.", 1)[1]
    assert "Never verified" not in table and table.index("Đã kiểm tra trước") < table.index("Chưa ai kiểm tra")
    assert "Not verified" not in text(await browser.get(f"/services/{never['id']}"))


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


async def test_the_queue_filters_by_province_organization_and_category_and_finds_names_without_accents(
    browser: Browser, client: httpx.AsyncClient, actors: Actors
) -> None:
    shelter = await create_listing(client, actors, actors.org, name="Nhà tạm lánh Bình Yên")
    legal = await create_listing(
        client,
        actors,
        actors.other_org,
        name="Trợ giúp pháp lý Hà Nội",
        categories=["legal_aid"],
        service_areas=["01"],
        locations=[],
        contacts=[{"kind": "phone", "value": "0243 555 123", "hours": "", "is_24_7": False, "languages": []}],
    )
    await browser.login(actors.coordinator)

    async def names(query: str) -> list[str]:
        page = text(await browser.get(f"/verify?{query}"))
        return [name for name in (shelter["name"], legal["name"]) if name in page]

    assert await names("") == [shelter["name"], legal["name"]]
    assert await names("province=01") == [legal["name"]]
    assert await names("province=92") == [shelter["name"]]  # where it is located and serves
    assert await names(f"organization={actors.org}") == [shelter["name"]]
    assert await names("category=legal_aid") == [legal["name"]]
    assert await names("q=binh+yen") == [shelter["name"]]  # typed without accents
    assert await names("q=PHÁP") == [legal["name"]]
    assert await names("q=100%25") == []  # a LIKE wildcard is a plain character
    assert await names("province=xx&organization=not-a-uuid&category=nope") == [shelter["name"], legal["name"]]
    narrowed = await browser.get("/verify?province=01&category=legal_aid")
    assert "Filters (2)" in text(narrowed) and "1 listing" in text(narrowed)
    assert 'href="tel:0243555123"' in narrowed.text and 'href="tel:1900969680"' not in narrowed.text
    # verifying from a filtered queue comes back to the same filter
    assert 'name="next" value="/verify?province=01&amp;category=legal_aid&amp;page=1"' in narrowed.text


async def test_the_queue_and_its_count_stop_at_the_coordinators_tree(
    browser: Browser, client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        outside = await make_org(conn, "Tổ chức ngoài cây")
    await create_listing(client, actors, actors.org, name="Trong cây")
    foreign = await create_listing(client, actors, outside, name="Ngoài cây")
    await browser.login(actors.coordinator)
    page = text(await browser.get("/verify"))
    assert "Trong cây" in page and "Ngoài cây" not in page and "Tổ chức ngoài cây" not in page
    assert "Ngoài cây" not in text(await browser.get(f"/verify?organization={outside}&q=ngoai"))
    assert (await browser.submit(f"/verify/{foreign['id']}")).status_code == 403
    now = datetime.now(UTC)
    async with pool.acquire() as conn:
        assert await verification.due_count(conn, await principal_for_user(conn, who(actors.coordinator)), now) == 1
        assert await verification.due_count(conn, await principal_for_user(conn, who(actors.admin)), now) == 2
        assert await verification.due_count(conn, await principal_for_user(conn, who(actors.caseworker)), now) == 0
