"""Admin pages for organizations: list, create under a parent, edit, errors kept with the input."""

from __future__ import annotations

import re

import asyncpg

from service.idempotency import FORM_FIELD
from tests.integration.conftest import Actors
from tests.integration.pages.conftest import Browser, text


async def admin(browser: Browser, actors: Actors) -> None:
    await browser.login(actors.admin)
    await browser.get("/lang/en")


async def test_admin_creates_an_organization_under_a_parent(
    browser: Browser, actors: Actors, pool: asyncpg.Pool
) -> None:
    await admin(browser, actors)
    listing = await browser.get("/admin/organizations")
    assert listing.status_code == 200 and "Nhà Tạm Lánh Hoa Sen" in text(listing)
    key = re.search(rf'name="{FORM_FIELD}" value="(\w+)"', listing.text)
    assert key is not None
    form = {"name": "Hội LHPN xã Mỹ Xuyên", "kind": "mass_organization", "parent_id": str(actors.other_org)}
    created = await browser.submit("/admin/organizations", {**form, FORM_FIELD: key.group(1)})
    assert created.status_code == 303
    # the form sent again (a double click) leads to the same organization, not a second one
    again = await browser.submit("/admin/organizations", {**form, FORM_FIELD: key.group(1)})
    assert again.status_code == 303 and again.headers["location"] == created.headers["location"]
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT kind, parent_id FROM organization WHERE name = 'Hội LHPN xã Mỹ Xuyên'")
    assert row is not None and (row["kind"], row["parent_id"]) == ("mass_organization", actors.other_org)
    assert "Hội LHPN xã Mỹ Xuyên" in text(await browser.get(created.headers["location"]))


async def test_an_empty_name_keeps_the_input(browser: Browser, actors: Actors, pool: asyncpg.Pool) -> None:
    await admin(browser, actors)
    response = await browser.submit("/admin/organizations", {"name": "", "kind": "ngo", "parent_id": str(actors.org)})
    assert response.status_code == 422 and 'id="e-name"' in response.text
    assert f'<option value="{actors.org}" selected>' in response.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM organization") == 2


async def test_admin_edits_an_organization_and_a_cycle_is_refused(
    browser: Browser, actors: Actors, pool: asyncpg.Pool
) -> None:
    await admin(browser, actors)
    async with pool.acquire() as conn:
        await conn.execute("UPDATE organization SET parent_id = $1 WHERE id = $2", actors.org, actors.other_org)
    page = await browser.get(f"/admin/organizations/{actors.org}")
    assert page.status_code == 200 and 'name="version"' in page.text
    cycle = await browser.submit(
        f"/admin/organizations/{actors.org}",
        {"name": "Tên mới", "kind": "ngo", "parent_id": str(actors.other_org), "version": "1"},
    )
    assert cycle.status_code == 422 and 'id="e-parent_id"' in cycle.text and 'value="Tên mới"' in cycle.text
    saved = await browser.submit(
        f"/admin/organizations/{actors.org}",
        {"name": "Tên mới", "kind": "ngo", "parent_id": "", "website": "https://hoasen.example.org", "version": "1"},
    )
    assert saved.status_code == 303
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT name, website, version FROM organization WHERE id = $1", actors.org)
    assert row is not None and (row["name"], row["website"], row["version"]) == (
        "Tên mới",
        "https://hoasen.example.org",
        2,
    )
    stale = await browser.submit(
        f"/admin/organizations/{actors.org}", {"name": "Tên cũ", "kind": "ngo", "parent_id": "", "version": "1"}
    )
    assert stale.status_code == 412 and 'value="Tên cũ"' in stale.text and 'value="2"' in stale.text
