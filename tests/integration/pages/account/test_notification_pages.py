"""The notification centre's pages: the list (unread marked, opening one marks it read and goes to
the page to act, which says a decline's reason in words), marking all read, the menu's unread
count, and the e-mail settings form per kind of the user's role."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import httpx

from tests.integration.pages.conftest import Browser, text
from tests.integration.reintegration.world import World, consent, refer


async def declined_referral(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    await consent(client, world, world.actors.org)
    referral: dict[str, Any] = (await refer(client, world)).json()
    body = {"reason_code": "out_of_area", "note": "Ngoài địa bàn"}
    declined = await client.post(
        f"/api/v1/referrals/{referral['id']}/decline", headers=world.actors.partner.headers, json=body
    )
    assert declined.status_code == 200, declined.text
    return referral


def opened(page: httpx.Response) -> list[str]:
    """The ids of the notifications the list offers to open."""
    return re.findall(r'action="/notifications/([0-9a-f-]{36})"', page.text)


async def test_a_caseworker_opens_a_decline_and_reads_its_reason(
    client: httpx.AsyncClient, world: World, browser: Browser
) -> None:
    referral = await declined_referral(client, world)
    await browser.login(world.actors.caseworker)
    cases = await browser.get("/cases")
    assert "Thông báo (1)" in text(cases)  # the menu of every page
    listed = await browser.get("/notifications")
    assert listed.status_code == 200
    assert 'class="unread"' in listed.text and "Mới" in text(listed)
    assert "Chuyển gửi bạn gửi bị từ chối: xem lý do" in text(listed)
    listing = (await client.get(f"/api/v1/services/{world.service_id}")).json()["name"]
    assert listing in text(listed)  # which referral: the listing it went to
    assert referral["case_code"] not in listed.text  # the notification says nothing of the case
    (notification,) = opened(listed)
    went = await browser.submit(f"/notifications/{notification}")
    assert went.status_code == 303 and went.headers["location"] == f"/referrals/{referral['id']}"
    target = await browser.get(went.headers["location"])
    assert "Ngoài địa bàn phục vụ" in text(target)  # the coded reason, in words, where the link goes
    after = await browser.get("/notifications")
    assert 'class="unread"' not in after.text and "Thông báo (" not in text(after)


async def test_mark_all_read_then_only_unread_shows_none(
    client: httpx.AsyncClient, world: World, browser: Browser
) -> None:
    await consent(client, world, world.actors.org)
    for _ in range(2):
        assert (await refer(client, world)).status_code == 201
    await browser.login(world.actors.partner)
    listed = await browser.get("/notifications", headers={"accept-language": "en"})
    assert len(opened(listed)) == 2 and "Mark all read" in text(listed)
    done = await browser.submit("/notifications/read-all")
    assert done.status_code == 303 and done.headers["location"] == "/notifications?done=read"
    after = await browser.get(done.headers["location"])
    assert "Tất cả thông báo của bạn đã được đánh dấu là đã đọc." in text(after)
    assert 'class="unread"' not in after.text and "Đánh dấu tất cả" not in text(after)
    unread = await browser.get("/notifications?unread=true")
    assert opened(unread) == [] and "Không có thông báo chưa đọc." in text(unread)


async def test_someone_elses_notification_cannot_be_opened(
    client: httpx.AsyncClient, world: World, browser: Browser, pool: asyncpg.Pool
) -> None:
    await declined_referral(client, world)
    async with pool.acquire() as conn:
        theirs = await conn.fetchval("SELECT id FROM notification WHERE user_id = $1", world.actors.caseworker.user_id)
    await browser.login(world.colleague)
    assert (await browser.submit(f"/notifications/{theirs}")).status_code == 404
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT read_at FROM notification WHERE id = $1", theirs) is None


async def test_the_anonymous_are_sent_to_log_in(browser: Browser, world: World) -> None:
    for path in ("/notifications", "/notifications/settings"):
        response = await browser.get(path)
        assert response.status_code in (302, 303) and response.headers["location"].startswith("/login")


async def test_a_partner_chooses_how_each_of_her_kinds_reaches_her(
    world: World, browser: Browser, pool: asyncpg.Pool
) -> None:
    await browser.login(world.actors.partner)
    form = await browser.get("/notifications/settings")
    assert form.status_code == 200
    names = set(re.findall(r'type="radio" name="([a-z_]+)"', form.text))
    assert names == {"referral_received", "referral_due_soon", "referral_expired"}  # a partner's kinds only
    assert "Gửi e-mail ngay" in text(form) and "mặc định" in text(form)
    chosen = {"referral_received": "immediate", "referral_due_soon": "digest", "referral_expired": "none"}
    saved = await browser.submit("/notifications/settings", chosen)
    assert saved.status_code == 303 and saved.headers["location"] == "/notifications/settings?done=saved"
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT kind, delivery FROM notification_setting WHERE user_id = $1", world.actors.partner.user_id
        )
    # a choice equal to the default is no row: a later change of the default reaches it
    assert {row["kind"]: row["delivery"] for row in rows} == {"referral_due_soon": "digest", "referral_expired": "none"}
    shown = await browser.get(saved.headers["location"])
    assert 'name="referral_expired" value="none" checked' in shown.text
    assert "Đã lưu cài đặt e-mail của bạn." in text(shown)


async def test_a_bad_choice_changes_nothing_and_says_where(world: World, browser: Browser, pool: asyncpg.Pool) -> None:
    await browser.login(world.actors.caseworker)
    refused = await browser.submit("/notifications/settings", {"plan_approved": "sometimes"})
    assert refused.status_code == 422
    assert "Hãy chọn một trong ba cách." in text(refused) and 'aria-describedby="e-plan_approved"' in refused.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM notification_setting") == 0


async def test_an_admin_has_nothing_to_choose(world: World, browser: Browser) -> None:
    await browser.login(world.actors.admin)
    page = await browser.get("/notifications/settings")
    assert page.status_code == 200 and 'type="radio"' not in page.text
    assert "Vai trò của bạn không có mục nào để chọn" in text(page)
