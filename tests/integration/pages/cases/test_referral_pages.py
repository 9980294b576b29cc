"""New referral (consent check, preview, send) and a referral as the referring side sees it."""

from __future__ import annotations

import asyncpg
import httpx
from litestar import Litestar

from service.reintegration import free_text
from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import CASE_BODY, World, consent, refer

NAME = CASE_BODY["full_name"]
SUMMARY = "Phụ nữ 25 tuổi, vừa trở về, cần chỗ ở an toàn 2 tuần."


def new_referral(world: World) -> str:
    return f"/referrals/new?service={world.service_id}&case={world.case_id}"


def referral_form(world: World, intent: str, summary: str = SUMMARY) -> dict[str, str]:
    return {
        "service_id": world.service_id,
        "survivor_id": world.case_id,
        "urgency": "urgent",
        "shared_summary": summary,
        "intent": intent,
    }


async def referrals_made(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval("SELECT count(*) FROM referral"))


async def test_without_consent_the_page_says_so_and_sending_creates_nothing(
    browser: Browser, world: World, pool: asyncpg.Pool
) -> None:
    await browser.login(world.actors.caseworker)
    page = await browser.get(new_referral(world))
    assert page.status_code == 200
    assert "No live referral consent" in text(page) or "consent" in page.text
    assert f"/cases/{world.case_id}#consents" in page.text
    sent = await browser.submit("/referrals", referral_form(world, "send"))
    assert sent.status_code == 403
    assert f"/cases/{world.case_id}#consents" in sent.text and SUMMARY in sent.text  # input kept
    assert await referrals_made(pool) == 0


async def test_with_consent_preview_shows_the_summary_without_the_name_and_send_creates_it(
    browser: Browser, world: World, client: httpx.AsyncClient, pool: asyncpg.Pool, app: Litestar
) -> None:
    await consent(client, world, world.actors.org)
    await browser.login(world.actors.caseworker)
    page = await browser.get(new_referral(world))
    assert 'id="consent-status"' in page.text and "#consents" not in page.text.split('id="consent-status"')[1][:300]
    preview = await browser.submit("/referrals", referral_form(world, "preview"))
    assert preview.status_code == 200
    assert 'id="preview-h"' in preview.text and SUMMARY in preview.text
    assert NAME not in preview.text
    assert await referrals_made(pool) == 0  # a preview changes nothing
    sent = await browser.submit("/referrals", referral_form(world, "send"))
    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    async with pool.acquire() as conn:
        row = await conn.fetchrow("SELECT id, shared_summary_enc, status, urgency FROM referral")
    summary = free_text.REFERRAL.reveal(app.state.cipher, row, "shared_summary")
    assert summary == SUMMARY and row["status"] == "sent" and row["urgency"] == "urgent"
    assert location == f"/referrals/{row['id']}"
    shown = await browser.get(location)
    assert shown.status_code == 200 and SUMMARY in shown.text and "/withdraw" in shown.text


async def test_a_summary_naming_the_survivor_is_refused_next_to_the_field(
    browser: Browser, world: World, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await consent(client, world, None)
    await browser.login(world.actors.caseworker)
    response = await browser.submit("/referrals", referral_form(world, "send", f"Chị {NAME} cần chỗ ở"))
    assert response.status_code == 422
    assert 'id="e-shared_summary"' in response.text
    assert await referrals_made(pool) == 0


async def test_picking_a_case_when_none_is_given(browser: Browser, world: World) -> None:
    await browser.login(world.actors.caseworker)
    page = await browser.get(f"/referrals/new?service={world.service_id}")
    assert page.status_code == 200 and f'value="{world.case_id}"' in page.text
    await browser.login(world.colleague)
    assert (await browser.get(new_referral(world))).status_code == 404
    await browser.login(world.actors.partner)
    assert (await browser.get(new_referral(world))).status_code in (403, 404)


async def test_withdraw_needs_a_note_and_then_moves_the_referral(
    browser: Browser, world: World, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await consent(client, world, None)
    created = await refer(client, world)
    referral_id = created.json()["id"]
    await browser.login(world.actors.caseworker)
    page = await browser.get(f"/referrals/{referral_id}")
    assert page.status_code == 200 and "/verify" not in page.text
    refused = await browser.submit(f"/referrals/{referral_id}/withdraw", {"note": ""})
    assert refused.status_code == 422 and 'id="e-note"' in refused.text
    done = await browser.submit(f"/referrals/{referral_id}/withdraw", {"note": "Chị đã tìm được chỗ khác"})
    assert done.status_code == 303
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM referral WHERE id = $1::uuid", referral_id) == "withdrawn"
    assert "Chị đã tìm được chỗ khác" in (await browser.get(f"/referrals/{referral_id}")).text
    case_page = await browser.get(f"/cases/{world.case_id}")
    assert f"/referrals/{referral_id}" in case_page.text
    await browser.login(world.colleague)
    assert (await browser.get(f"/referrals/{referral_id}")).status_code == 404


async def test_verify_after_completion(
    browser: Browser, world: World, client: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    await consent(client, world, None)
    referral_id = (await refer(client, world)).json()["id"]
    partner = world.actors.partner.headers
    for step in ("accept", "start", "complete"):
        moved = await client.post(f"/api/v1/referrals/{referral_id}/{step}", headers=partner)
        assert moved.status_code == 200, moved.text
    await browser.login(world.actors.caseworker)
    page = await browser.get(f"/referrals/{referral_id}")
    assert f"/referrals/{referral_id}/verify" in page.text
    assert (await browser.submit(f"/referrals/{referral_id}/verify")).status_code == 303
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM referral WHERE id = $1::uuid", referral_id) == "verified"
    assert (await browser.submit(f"/referrals/{referral_id}/accept")).status_code == 404  # not the referrer's step
