"""The dashboard page: who sees which figures, the charts, and the worklists linking to cases."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import httpx

from tests.integration.conftest import Actor
from tests.integration.listings import service_body
from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import World, add_milestone, consent, refer


async def plan_with_overdue_milestone(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    headers = world.actors.caseworker.headers
    plan = await client.post(f"/api/v1/survivors/{world.case_id}/plans", headers=headers, json={"notes": "Kế hoạch"})
    assert plan.status_code == 201, plan.text
    three_days_ago = (date.today() - timedelta(days=3)).isoformat()
    overdue = await add_milestone(
        client, world, plan.json()["id"], domain="legal_documents", title="Làm lại CCCD", target_date=three_days_ago
    )
    assert overdue.status_code == 201, overdue.text
    return plan.json()  # type: ignore[no-any-return]


async def english(browser: Browser, actor: Actor) -> None:
    await browser.login(actor)
    await browser.get("/lang/en")


async def test_coordinator_sees_charts_and_the_overdue_milestone(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    await plan_with_overdue_milestone(client, world)
    await english(browser, world.actors.coordinator)
    response = await browser.get("/dashboard")
    assert response.status_code == 200
    page = text(response)
    assert "Your organization and the organizations under it" in page
    assert "Làm lại CCCD" in page and "3 days overdue" in page
    # the milestone's link opens the case at the milestone itself
    link = re.search(rf'href="/cases/{world.case_id}#m-([0-9a-f-]{{36}})">Làm lại CCCD</a>', response.text)
    assert link is not None
    assert f'id="m-{link[1]}"' in (await browser.get(f"/cases/{world.case_id}")).text
    svgs = re.findall(r"<svg.*?</svg>", response.text, flags=re.S)
    assert len(svgs) >= 2
    assert all("<title" in svg and "<desc" in svg for svg in svgs)
    assert "<script>" not in response.text
    # the case's home province (Sóc Trăng, merged into Cần Thơ) is drawn and tabled
    assert "Cần Thơ" in svgs[0] and re.search(r"Cần Thơ\s*</th>\s*<td[^>]*>1</td>", response.text)


async def test_partner_outcomes_and_past_due_referrals(
    browser: Browser, client: httpx.AsyncClient, world: World, pool: Any
) -> None:
    await consent(client, world, None)
    referral = await refer(client, world)
    assert referral.status_code == 201, referral.text
    async with pool.acquire() as conn:
        await conn.execute("UPDATE referral SET due_at = now() - interval '1 day'")
    await english(browser, world.actors.coordinator)
    response = await browser.get("/dashboard")
    assert f'href="/referrals/{referral.json()["id"]}"' in response.text
    assert "Sent: 1" in response.text  # the grouped outcome bars name their series
    # one answer is no median to speak of
    async with pool.acquire() as conn:
        await conn.execute("UPDATE referral SET responded_at = sent_at + interval '5 hours'")
    answered = text(await browser.get("/dashboard"))
    assert "Not enough data" in answered and "Median days to answer" not in answered


async def test_the_vietnamese_dashboard_writes_score_bands_with_decimal_commas(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    await browser.login(world.actors.coordinator)
    await browser.get("/lang/vi")
    page = await browser.get("/dashboard")
    assert "0,0–0,2" in text(page) and "0,8–1,0" in page.text and "0.0" not in text(page)


async def test_caseworker_sees_only_their_caseload(browser: Browser, client: httpx.AsyncClient, world: World) -> None:
    await plan_with_overdue_milestone(client, world)
    await english(browser, world.actors.caseworker)
    mine = text(await browser.get("/dashboard"))
    assert "Your caseload" in mine and "Làm lại CCCD" in mine
    assert "Plans waiting for your approval" not in mine
    await english(browser, world.colleague)  # same organization, not assigned to the case
    theirs = text(await browser.get("/dashboard"))
    assert "Your caseload" in theirs and "Làm lại CCCD" not in theirs


async def test_partner_sees_inbox_figures_only(browser: Browser, client: httpx.AsyncClient, world: World) -> None:
    await plan_with_overdue_milestone(client, world)
    await english(browser, world.actors.partner)
    page = text(await browser.get("/dashboard"))
    assert "Referral inbox" in page
    assert "Làm lại CCCD" not in page and "Overdue milestones" not in page


async def test_admin_is_refused_and_the_public_sent_to_log_in(browser: Browser, world: World) -> None:
    public = await browser.get("/dashboard")
    assert public.status_code in (302, 303, 307) and public.headers["location"].startswith("/login")
    await browser.login(world.actors.admin)
    assert (await browser.get("/dashboard")).status_code == 403


async def test_a_long_worklist_shows_five_and_folds_the_rest_one_tap_away(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    """On a phone each row is a card: 25 overdue milestones pushed every other section far down."""
    plan = await plan_with_overdue_milestone(client, world)
    for day in range(4, 11):  # seven more, each a day later overdue
        target = (date.today() - timedelta(days=day)).isoformat()
        added = await add_milestone(
            client, world, plan["id"], domain="legal_documents", title=f"Mốc {day}", target_date=target
        )
        assert added.status_code == 201, added.text
    await english(browser, world.actors.coordinator)
    page = (await browser.get("/dashboard")).text
    section = page[page.index('id="h-overdue"') : page.index('id="h-pastdue"')]
    first, folded = section.split('<details class="more-rows">')
    assert first.count("days overdue</span>") == 5
    assert "<summary>3 more</summary>" in folded and folded.count("days overdue</span>") == 3


async def test_the_outcomes_table_shows_five_services_and_folds_the_rest_one_tap_away(
    browser: Browser, client: httpx.AsyncClient, world: World
) -> None:
    """It listed every partner service as a card: with a real directory, most of a phone's scroll."""
    await consent(client, world, None)
    for number in range(7):
        listing = await client.post(
            "/api/v1/services",
            headers=world.actors.partner.headers,
            json=service_body(world.actors.org, name=f"Dịch vụ số {number}"),
        )
        assert listing.status_code == 201, listing.text
        referral = await refer(client, world, service_id=listing.json()["id"])
        assert referral.status_code == 201, referral.text
    await english(browser, world.actors.coordinator)
    page = (await browser.get("/dashboard")).text
    section = page[page.index('id="h-outcomes"') :]
    first, folded = section.split('<details class="more-rows">')
    assert "<summary>2 more</summary>" in folded and folded.count('<th scope="row">Dịch vụ số') == 2
    assert first[first.index("<table") :].count('<th scope="row">Dịch vụ số') == 5
