"""The partner's inbox opens on the referrals awaiting its answer ("All" one tap away), and a
referral's page says who referred and how to reach them at work, never the survivor."""

from __future__ import annotations

import httpx

from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import CASE_BODY, World, consent, refer


async def test_the_inbox_opens_on_referrals_awaiting_an_answer(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    await consent(client, world, world.actors.org)
    waiting = (await refer(client, world)).json()["id"]
    answered = (await refer(client, world)).json()["id"]
    partner = world.actors.partner.headers
    assert (await client.post(f"/api/v1/referrals/{answered}/accept", headers=partner, json={})).status_code == 200
    await browser.login(world.actors.partner)
    inbox = await browser.get("/partner/referrals")
    assert waiting in inbox.text and answered not in inbox.text
    assert "1 referral" in text(inbox) and 'href="/partner/referrals?status=all"' in inbox.text
    every = await browser.get("/partner/referrals?status=all")
    assert waiting in every.text and answered in every.text and "2 referrals" in text(every)


async def test_the_referral_shows_who_referred_and_their_work_contact(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    await consent(client, world, world.actors.org)
    referral_id = (await refer(client, world)).json()["id"]
    await browser.login(world.actors.partner)
    page = await browser.get(f"/partner/referrals/{referral_id}")
    caseworker = world.actors.caseworker
    assert "Who referred" in text(page)
    assert f'href="mailto:{caseworker.email}"' in page.text and caseworker.name in text(page)
    for secret in (CASE_BODY["full_name"], CASE_BODY["phone"]):
        assert secret not in page.text
