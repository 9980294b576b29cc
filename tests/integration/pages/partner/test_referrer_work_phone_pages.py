"""The referring caseworker's WORK phone: an administrator sets it on the user form (or the users
API), the change is audited, and the partner's referral page offers it as a tel: link next to the
caseworker's name — never the survivor's number."""

from __future__ import annotations

import asyncpg
import httpx

from tests.integration.pages.conftest import Browser, text
from tests.integration.pages.partner.conftest import form_fields, replaced
from tests.integration.reintegration.world import CASE_BODY, World, consent, refer


async def set_on_the_user_form(browser: Browser, world: World, phone: str) -> httpx.Response:
    url = f"/admin/users/{world.actors.caseworker.user_id}"
    await browser.login(world.actors.admin)
    return await browser.submit(url, replaced(form_fields(await browser.get(url), url), work_phone=phone))


async def test_the_admin_sets_a_work_phone_the_partner_taps_to_call(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await consent(client, world, world.actors.org)
    referral_id = (await refer(client, world)).json()["id"]
    saved = await set_on_the_user_form(browser, world, "0299 555 0101")
    assert saved.status_code == 303, saved.text
    async with pool.acquire() as conn:
        details = await conn.fetchval(
            "SELECT details FROM audit_log WHERE action = 'user.change' AND entity_id = $1 ORDER BY id DESC LIMIT 1",
            world.actors.caseworker.user_id,
        )
    assert details["before"]["work_phone"] is None and details["after"]["work_phone"] == "0299 555 0101"

    browser.client.cookies.clear()
    await browser.login(world.actors.partner)
    page = await browser.get(f"/partner/referrals/{referral_id}")
    assert "Caseworker's work phone" in text(page)
    assert '<a href="tel:02995550101">0299 555 0101</a>' in page.text
    assert CASE_BODY["phone"] not in page.text and CASE_BODY["phone"].replace(" ", "") not in page.text


async def test_a_work_phone_that_is_not_a_number_is_refused_at_its_field(
    browser: Browser, world: World, pool: asyncpg.Pool
) -> None:
    refused = await set_on_the_user_form(browser, world, "gọi chị Lan")
    assert refused.status_code == 422
    assert 'href="#f-work_phone"' in refused.text and 'id="f-work_phone"' in refused.text
    async with pool.acquire() as conn:
        stored = await conn.fetchval("SELECT work_phone FROM app_user WHERE id = $1", world.actors.caseworker.user_id)
    assert stored is None


async def test_the_users_api_reads_sets_and_clears_it_for_admins_only(client: httpx.AsyncClient, world: World) -> None:
    url = f"/api/v1/users/{world.actors.caseworker.user_id}"
    admin = world.actors.admin.headers
    assert (await client.get(url, headers=admin)).json()["work_phone"] is None
    assert (await client.patch(url, headers=admin, json={"work_phone": "+84 299 555 0101"})).json()["work_phone"] == (
        "+84 299 555 0101"
    )
    assert (
        await client.patch(url, headers=admin, json={"work_phone": "not a phone"})
    ).status_code == 400  # as any refused body
    for who in (world.actors.partner, world.actors.caseworker, world.actors.coordinator):
        refused = await client.patch(url, headers=who.headers, json={"work_phone": "0299 555 0999"})
        assert refused.status_code == 404  # the users API does not even say the account exists
    assert (await client.patch(url, headers=admin, json={"work_phone": None})).json()["work_phone"] is None


async def test_only_an_admin_may_change_it_on_the_user_form(browser: Browser, world: World, pool: asyncpg.Pool) -> None:
    url = f"/admin/users/{world.actors.caseworker.user_id}"
    for who in (world.actors.partner, world.actors.caseworker, world.actors.coordinator):
        browser.client.cookies.clear()
        await browser.login(who)
        assert (await browser.submit(url, {"work_phone": "0299 555 0999"})).status_code == 403
    async with pool.acquire() as conn:
        stored = await conn.fetchval("SELECT work_phone FROM app_user WHERE id = $1", world.actors.caseworker.user_id)
    assert stored is None
