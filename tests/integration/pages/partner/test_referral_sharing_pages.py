"""The partner's referral page once the survivor's consent is gone, and the referring side's view."""

from __future__ import annotations

import asyncpg
import httpx

from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import World, consent, refer

ADDRESS_NOTE = "Chị đã chuyển về ở 12 Lê Lợi"


async def test_after_consent_is_withdrawn_the_partner_page_says_so_and_offers_no_step(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    granted = await consent(client, world, world.actors.org)
    referral_id = (await refer(client, world)).json()["id"]
    answered = await client.post(
        f"/api/v1/referrals/{referral_id}/accept", headers=world.actors.partner.headers, json={"note": "Đã nhận"}
    )
    assert answered.status_code == 200
    await client.post(f"/api/v1/consents/{granted['id']}/withdraw", headers=world.actors.caseworker.headers)
    await browser.login(world.actors.partner)
    page = await browser.get(f"/partner/referrals/{referral_id}")
    assert page.status_code == 200
    seen = text(page)
    assert "Consent withdrawn" in seen and "cần chỗ ở an toàn" not in seen
    assert f"/partner/referrals/{referral_id}/" not in page.text  # no form for any step
    assert "Đã nhận" in seen  # its own note stays
    inbox = text(await browser.get("/partner/referrals"))
    assert "cần chỗ ở an toàn" not in inbox
    # the referring side is told on the case
    await browser.login(world.actors.caseworker)
    case = text(await browser.get(f"/cases/{world.case_id}"))
    assert "Consent withdrawn" in case


async def test_the_partner_page_never_shows_the_referrers_withdrawal_note(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    await consent(client, world, world.actors.org)
    referral_id = (await refer(client, world)).json()["id"]
    withdrawn = await client.post(
        f"/api/v1/referrals/{referral_id}/withdraw",
        headers=world.actors.caseworker.headers,
        json={"note": ADDRESS_NOTE},
    )
    assert withdrawn.status_code == 200
    await browser.login(world.actors.partner)
    page = await browser.get(f"/partner/referrals/{referral_id}")
    assert ADDRESS_NOTE not in page.text and "Withdrawn" in text(page)


async def test_an_expired_consent_hides_a_completed_referral_and_the_page_says_why(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    await consent(client, world, world.actors.org)
    referral_id = (await refer(client, world)).json()["id"]
    for action in ("accept", "start", "complete"):
        await client.post(f"/api/v1/referrals/{referral_id}/{action}", headers=world.actors.partner.headers, json={})
    async with pool.acquire() as conn:
        await conn.execute("UPDATE consent SET expires_at = now() - interval '1 minute'")
    await browser.login(world.actors.partner)
    seen = text(await browser.get(f"/partner/referrals/{referral_id}"))
    assert "cần chỗ ở an toàn" not in seen
    assert "consent no longer covers" in seen
