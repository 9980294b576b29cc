"""Recording a consent: no recipient is chosen for the person, every organization can be found."""

from __future__ import annotations

import asyncpg
import httpx

from tests.integration.conftest import make_org
from tests.integration.pages.conftest import Browser, text
from tests.integration.pages.partner.conftest import form_fields
from tests.integration.reintegration.world import World


async def test_the_consent_form_chooses_no_recipient_and_refuses_without_one(
    browser: Browser, world: World, pool: asyncpg.Pool
) -> None:
    browser.client.headers["accept-language"] = "en"
    await browser.login(world.actors.caseworker)
    page = await browser.get(f"/cases/{world.case_id}")
    action = f"/cases/{world.case_id}/consents"
    sent = dict(form_fields(page, action))
    assert sent["organization_id"] == ""  # what the form sends untouched: nobody
    refused = await browser.submit(action, {**sent, "consent_method": "written"})
    assert refused.status_code == 422
    assert 'id="e-organization_id"' in refused.text and "Choose who may receive" in text(refused)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM consent") == 0


async def test_every_organization_is_offered_however_many_there_are(
    browser: Browser, world: World, pool: asyncpg.Pool, client: httpx.AsyncClient
) -> None:
    async with pool.acquire() as conn:
        for n in range(230):
            await make_org(conn, f"Tổ chức số {n:03d}")
        last = await make_org(conn, "Zzz Nhà tạm lánh cuối danh sách")
    await browser.login(world.actors.caseworker)
    page = await browser.get(f"/cases/{world.case_id}")
    assert f'value="{last}"' in page.text
    assert 'data-filter-options="f-organization_id"' in page.text and "/static/js/app.js" in page.text
    done = await browser.submit(
        f"/cases/{world.case_id}/consents",
        {"purpose": "referral", "organization_id": str(last), "consent_method": "written"},
    )
    assert done.status_code == 303
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT organization_id FROM consent") == last
