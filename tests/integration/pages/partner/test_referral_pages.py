"""A partner answers the referrals addressed to it, seeing only what the caseworker shared."""

from __future__ import annotations

import asyncpg
import httpx

from tests.integration.pages.conftest import Browser, text
from tests.integration.pages.partner.conftest import form_fields
from tests.integration.reintegration.world import CASE_BODY, World, consent, refer


async def _referral(client: httpx.AsyncClient, world: World) -> str:
    await consent(client, world, world.actors.org)
    response = await refer(client, world)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _status(pool: asyncpg.Pool, referral_id: str) -> str:
    async with pool.acquire() as conn:
        return str(await conn.fetchval("SELECT status FROM referral WHERE id = $1::uuid", referral_id))


async def test_the_inbox_shows_the_summary_but_never_who_the_survivor_is(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    referral_id = await _referral(client, world)
    await browser.login(world.actors.partner)
    for url in ("/partner/referrals", f"/partner/referrals/{referral_id}", "/partner/referrals?status=sent"):
        response = await browser.get(url)
        assert response.status_code == 200
        page = text(response)
        assert "cần chỗ ở an toàn 2 tuần" in page and "Urgent" in page
        for secret in (CASE_BODY["full_name"], CASE_BODY["phone"], CASE_BODY["id_document_number"], world.case_id):
            assert secret not in response.text
    assert "No referrals here." in text(await browser.get("/partner/referrals?status=accepted"))
    await browser.login(world.actors.other_partner)
    assert "cần chỗ ở an toàn" not in (await browser.get("/partner/referrals")).text
    assert (await browser.get(f"/partner/referrals/{referral_id}")).status_code == 404


async def test_accepting_moves_the_referral_on_and_a_late_second_answer_gets_the_current_state(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    referral_id = await _referral(client, world)
    await browser.login(world.actors.partner)
    page = await browser.get(f"/partner/referrals/{referral_id}")
    assert {"Accept", "Decline"} <= set(text(page).split(" ")) and "Start the service" not in text(page)
    accepted = await browser.submit(f"/partner/referrals/{referral_id}/accept", {"note": ""})
    assert accepted.status_code == 303
    assert await _status(pool, referral_id) == "accepted"
    after = text(await browser.get(accepted.headers["location"]))
    assert "Done: Accept." in after and "Start the service" in after
    # a colleague's page was opened before: their 'decline' arrives after the acceptance
    late = await browser.submit(f"/partner/referrals/{referral_id}/decline", {"reason_code": "no_capacity"})
    assert late.status_code == 409
    assert "changed before your answer arrived" in text(late) and "Accepted" in text(late)
    assert await _status(pool, referral_id) == "accepted"


async def test_declining_needs_a_reason_and_keeps_the_note(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    referral_id = await _referral(client, world)
    await browser.login(world.actors.partner)
    url = f"/partner/referrals/{referral_id}/decline"
    missing = await browser.submit(url, {"reason_code": "", "note": "Hết giường tuần này"})
    assert missing.status_code == 422
    assert 'id="decline-reason-error"' in missing.text and "Hết giường tuần này" in missing.text
    assert await _status(pool, referral_id) == "sent"
    fields = dict(form_fields(missing, url))
    assert fields["note"] == "Hết giường tuần này"
    declined = await browser.submit(url, {**fields, "reason_code": "no_capacity"})
    assert declined.status_code == 303
    assert await _status(pool, referral_id) == "declined"
    page = text(await browser.get(f"/partner/referrals/{referral_id}"))
    assert "No places free" in page and "cần chỗ ở an toàn" not in page  # access ends with the decline


async def test_the_receiving_side_sees_only_its_own_actions(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    referral_id = await _referral(client, world)
    await browser.login(world.actors.partner)
    assert (await browser.submit(f"/partner/referrals/{referral_id}/withdraw", {"note": "x"})).status_code == 404
    assert (await browser.submit(f"/partner/referrals/{referral_id}/vanish", {})).status_code == 404
    await browser.login(world.actors.caseworker)
    assert (await browser.get("/partner/referrals")).status_code == 403
    assert (await browser.submit(f"/partner/referrals/{referral_id}/accept", {})).status_code == 403
    assert await _status(pool, referral_id) == "sent"


async def test_an_unanswered_referral_past_its_due_time_is_marked_overdue(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: asyncpg.Pool
) -> None:
    referral_id = await _referral(client, world)
    async with pool.acquire() as conn:
        await conn.execute("UPDATE referral SET due_at = now() - interval '1 hour' WHERE id = $1::uuid", referral_id)
    await browser.login(world.actors.partner)
    page = text(await browser.get("/partner/referrals?status=expired"))
    assert "Overdue" in page and "Expired (not answered in time)" in page
    assert "cần chỗ ở an toàn" not in page  # an expired referral is no longer shared
