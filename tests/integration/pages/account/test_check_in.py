"""Listing check-ins end to end (issue 16, point 3): the scheduler's tick asks the partners of a
listing nobody confirmed for 150 days, the mail goes through a real SMTP server in this process
(aiosmtpd), its "Still right" link is followed and confirmed, and every way a link stops working
is refused with a page saying so. Reminders after 7 and 21 days come once each; coordinators see
who answered within their tree only."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from litestar import Litestar

from service.auth.models import Role
from service.config import Settings
from service.directory import check_in_links, check_ins
from service.notify.transport import SmtpTransport
from service.notify.worker import MailWorker
from service.reintegration.scheduler import tick
from tests.integration.conftest import Actor, Actors, make_actor, make_org
from tests.integration.listings import create_listing
from tests.integration.notify.smtp_server import Handler, SmtpServer
from tests.integration.pages.conftest import Browser, text

SETTINGS = Settings(base_url="https://ketnoi.example.org")
SITE = "https://ketnoi.example.org"


@pytest.fixture
def policy(app: Litestar) -> check_ins.Policy:
    return check_ins.policy(app.state.settings)


@pytest.fixture
async def colleague(pool: asyncpg.Pool, actors: Actors, password_hash: str) -> Actor:
    """A second partner of the listing's organization: both are asked, either may answer."""
    async with pool.acquire() as conn:
        return await make_actor(conn, "colleague", Role.PARTNER, actors.org, password_hash)


async def stale_listing(client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool, owner: uuid.UUID) -> uuid.UUID:
    """A listing last verified 160 days ago (created before that)."""
    listing = await create_listing(client, actors, owner)
    await pool.execute(
        "UPDATE service SET created_at = now() - interval '200 days', last_verified_at = now() - interval '160 days'"
        " WHERE id = $1",
        uuid.UUID(listing["id"]),
    )
    return uuid.UUID(listing["id"])


async def deliver(pool: asyncpg.Pool, server: SmtpServer) -> None:
    worker = MailWorker(pool, SmtpTransport("127.0.0.1", server.port), SETTINGS)
    while await worker.drain_once():
        pass
    await worker.transport.close()


def links(message: EmailMessage) -> dict[str, str]:
    """The mail's two links as a reader taps them (site-relative), the same in both bodies."""
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and html is not None
    found = {
        answer: url
        for url, answer in re.findall(
            r"(https://ketnoi\.example\.org/check-in\?token=[\w-]+&answer=(right|change))", plain.get_content()
        )
    }
    assert set(found) == {"right", "change"}, plain.get_content()
    for url in found.values():
        assert f'href="{url.replace("&", "&amp;")}"' in html.get_content()
    return {answer: url.removeprefix(SITE) for answer, url in found.items()}


def mail_to(handler: Handler, actor: Actor) -> EmailMessage:
    [received] = [r for r in handler.received if r.recipients == [actor.email]]
    return received.message


def token_of(link: str) -> str:
    return dict(pair.split("=", 1) for pair in urlsplit(link).query.split("&"))["token"]


async def test_partners_of_a_stale_listing_are_mailed_and_confirm_from_the_link(
    client: httpx.AsyncClient,
    actors: Actors,
    colleague: Actor,
    browser: Browser,
    pool: asyncpg.Pool,
    policy: check_ins.Policy,
    smtp_server: SmtpServer,
    handler: Handler,
) -> None:
    listing = await stale_listing(client, actors, pool, actors.org)
    await create_listing(client, actors, actors.org, name="Mới xác minh")  # fresh: not asked
    elsewhere = await stale_listing(client, actors, pool, actors.other_org)
    done = await tick(pool, check_in_policy=policy)
    assert done is not None and done.check_ins == 3
    await deliver(pool, smtp_server)
    # the listing's partners, and the other organization's partner about its own listing only
    assert sorted(r.recipients[0] for r in handler.received) == sorted(
        [actors.partner.email, colleague.email, actors.other_partner.email]
    )
    message = mail_to(handler, actors.partner)
    assert message["Subject"] == "Thông tin dịch vụ của bạn còn đúng không?"
    mine = links(message)
    # once the server has it, the outbox keeps no way in
    assert await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE link LIKE '%token=%'") == 0

    # a mail scanner (or the partner) opening the link changes nothing
    opened = await browser.get(mine["right"])
    assert opened.status_code == 200
    assert "Nhà tạm lánh Hoa Sen" in text(opened) and "Vâng, vẫn đúng" in text(opened)
    assert await pool.fetchval("SELECT confirmed_at FROM service WHERE id = $1", listing) is None

    confirmed = await browser.submit("/check-in", {"token": token_of(mine["right"])})
    assert confirmed.status_code == 200 and "Cảm ơn" in text(confirmed)
    row = await pool.fetchrow("SELECT * FROM service WHERE id = $1", listing)
    assert row["confirmed_by"] == actors.partner.user_id and row["confirmed_at"] is not None
    assert row["last_verified_at"] < datetime.now(UTC) - timedelta(days=150)  # a coordinator's stays as it was
    revision = await pool.fetchrow(
        "SELECT action, actor_id FROM service_revision WHERE service_id = $1 ORDER BY id DESC LIMIT 1", listing
    )
    assert tuple(revision) == ("confirm", actors.partner.user_id)

    # the public page is no longer stale, and shows both dates
    public = text(await browser.get(f"/services/{listing}"))
    assert "Tổ chức đã xác nhận" in public and "Chưa được xác minh trong 6 tháng qua" not in public
    # and neither is it in search results, in the API or on the search page
    found = await client.get("/api/v1/services", params={"q": "Hoa Sen"}, headers=actors.caseworker.headers)
    [hit] = [item for item in found.json()["items"] if item["id"] == str(listing)]
    assert hit["stale"] is False and hit["confirmed_at"] is not None
    results = await browser.get("/", params={"q": "Hoa Sen"})
    assert "Chưa được xác minh trong 6 tháng qua" not in text(results)

    # reused, by the partner or a colleague: refused, and nothing asked again
    assert (await browser.get(mine["right"])).status_code == 410
    assert (await browser.submit("/check-in", {"token": token_of(mine["right"])})).status_code == 410
    theirs = links(mail_to(handler, colleague))
    refused = await browser.get(theirs["right"])
    assert refused.status_code == 410 and "đã được trả lời" in text(refused)
    again = await tick(pool, check_in_policy=policy)
    assert again is not None and again.check_ins == 0
    assert await pool.fetchval("SELECT confirmed_at FROM service WHERE id = $1", elsewhere) is None


async def test_needs_changes_opens_the_edit_form_behind_the_log_in(
    client: httpx.AsyncClient,
    actors: Actors,
    browser: Browser,
    pool: asyncpg.Pool,
    policy: check_ins.Policy,
    smtp_server: SmtpServer,
    handler: Handler,
) -> None:
    listing = await stale_listing(client, actors, pool, actors.org)
    await tick(pool, check_in_policy=policy)
    await deliver(pool, smtp_server)
    change = links(mail_to(handler, actors.partner))["change"]
    opened = await browser.get(change)
    assert opened.status_code == 303 and opened.headers["location"] == f"/partner/services/{listing}"
    form = await browser.get(opened.headers["location"])
    assert form.status_code in (302, 303) and form.headers["location"].startswith("/login")
    await browser.login(actors.partner)
    assert (await browser.get(f"/partner/services/{listing}")).status_code == 200
    # opening the edit form answered nothing: the check-in still waits
    assert await pool.fetchval("SELECT count(*) FROM listing_check_in WHERE answered_at IS NULL") == 1


async def test_expired_tampered_foreign_ended_and_disallowed_links_are_refused(
    client: httpx.AsyncClient,
    actors: Actors,
    colleague: Actor,
    browser: Browser,
    pool: asyncpg.Pool,
    policy: check_ins.Policy,
) -> None:
    listing = await stale_listing(client, actors, pool, actors.org)
    await tick(pool, check_in_policy=policy)
    check_in = await pool.fetchval("SELECT id FROM listing_check_in WHERE service_id = $1", listing)
    partner = actors.partner.user_id
    assert partner is not None and colleague.user_id is not None

    def page_for(token: str) -> str:
        return f"/check-in?token={token}&answer=right"

    live = check_in_links.sign(policy.key, check_in, partner, datetime.now(UTC))
    expired = check_in_links.sign(policy.key, check_in, partner, datetime.now(UTC) - timedelta(days=15))
    foreign = check_in_links.sign(check_in_links.link_key("another site"), check_in, partner, datetime.now(UTC))
    tampered = live[:-3] + ("AAA" if not live.endswith("AAA") else "BBB")
    # the same signature over another check-in: the payload altered, so the signature fails
    other = check_in_links.sign(policy.key, uuid.uuid4(), partner, datetime.now(UTC))
    spliced = other[:22] + live[22:]
    for token, status, words in (
        (expired, 410, "hết hạn"),
        (foreign, 404, "Không nhận ra liên kết này"),
        (tampered, 404, "Không nhận ra liên kết này"),
        (spliced, 404, "Không nhận ra liên kết này"),
        ("", 404, "Không nhận ra liên kết này"),
    ):
        refused = await browser.get(page_for(token))
        assert (refused.status_code, words in text(refused)) == (status, True), (token, text(refused))
        posted = await browser.submit("/check-in", {"token": token})
        assert posted.status_code == status
    # a deactivated partner's link
    await pool.execute("UPDATE app_user SET active = false WHERE id = $1", colleague.user_id)
    colleagues = check_in_links.sign(policy.key, check_in, colleague.user_id, datetime.now(UTC))
    assert (await browser.get(page_for(colleagues))).status_code == 403
    # a coordinator verified the listing since the mail: the check-in is over
    verified = await client.post(f"/api/v1/services/{listing}/verify", headers=actors.coordinator.headers)
    assert verified.status_code == 200
    ended = await browser.get(page_for(live))
    assert ended.status_code == 410 and "đã được xác nhận hoặc xác minh" in text(ended)
    assert await pool.fetchval("SELECT confirmed_at FROM service WHERE id = $1", listing) is None


async def test_reminders_come_after_7_and_21_days_once_each(
    client: httpx.AsyncClient, actors: Actors, colleague: Actor, pool: asyncpg.Pool, policy: check_ins.Policy
) -> None:
    await stale_listing(client, actors, pool, actors.org)

    async def asked() -> int:
        done = await tick(pool, check_in_policy=policy)
        assert done is not None
        return done.check_ins

    async def days_ago(days: int) -> None:
        await pool.execute("UPDATE listing_check_in SET started_at = now() - make_interval(days => $1)", days)

    assert await asked() == 2  # both partners, the first mail
    assert await asked() == 0
    await days_ago(6)
    assert await asked() == 0
    await days_ago(7)
    assert await asked() == 2
    assert await asked() == 0
    await days_ago(21)
    assert await asked() == 2
    await days_ago(60)
    assert await asked() == 0
    keys = await pool.fetch("SELECT user_id, dedupe_key FROM mail_outbox ORDER BY dedupe_key, user_id")
    assert sorted({row["dedupe_key"].rsplit(":", 1)[1] for row in keys}) == ["0", "21", "7"]
    assert len(keys) == 6 and {row["user_id"] for row in keys} == {actors.partner.user_id, colleague.user_id}
    # one check-in for the cycle, however often it ticked
    assert await pool.fetchval("SELECT count(*) FROM listing_check_in") == 1


async def test_a_verified_listing_is_not_reminded_and_a_new_cycle_starts_later(
    client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool, policy: check_ins.Policy
) -> None:
    listing = await stale_listing(client, actors, pool, actors.org)
    await tick(pool, check_in_policy=policy)
    await client.post(f"/api/v1/services/{listing}/verify", headers=actors.coordinator.headers)
    await pool.execute("UPDATE listing_check_in SET started_at = now() - interval '7 days'")
    done = await tick(pool, check_in_policy=policy)
    assert done is not None and done.check_ins == 0
    # 151 days after that verification, the next cycle asks again
    await pool.execute("UPDATE service SET last_verified_at = now() - interval '151 days' WHERE id = $1", listing)
    done = await tick(pool, check_in_policy=policy)
    assert done is not None and done.check_ins == 1
    assert await pool.fetchval("SELECT count(*) FROM listing_check_in") == 2


async def test_coordinators_see_who_answered_within_their_tree_only(
    client: httpx.AsyncClient,
    actors: Actors,
    browser: Browser,
    pool: asyncpg.Pool,
    policy: check_ins.Policy,
    password_hash: str,
) -> None:
    async with pool.acquire() as conn:
        outside = await make_org(conn, "Tổ chức ngoài cây")
        await make_actor(conn, "outsider", Role.PARTNER, outside, password_hash)
    answered = await stale_listing(client, actors, pool, actors.org)
    await stale_listing(client, actors, pool, actors.other_org)
    await stale_listing(client, actors, pool, outside)
    await tick(pool, check_in_policy=policy)
    check_in = await pool.fetchval("SELECT id FROM listing_check_in WHERE service_id = $1", answered)
    assert actors.partner.user_id is not None
    token = check_in_links.sign(policy.key, check_in, actors.partner.user_id, datetime.now(UTC))
    assert (await browser.submit("/check-in", {"token": token})).status_code == 200

    await browser.login(actors.coordinator)
    page = await browser.get("/verify")
    assert page.status_code == 200
    section = text(page).split("Đợt hỏi lại")[1]
    assert "Nhà Tạm Lánh Hoa Sen" in section and "Trung tâm Trợ giúp pháp lý Mekong" in section
    assert "Tổ chức ngoài cây" not in section
    async with pool.acquire() as conn:
        tree = await check_ins.answers(conn, frozenset({actors.org, actors.other_org}))
        everyone = await check_ins.answers(conn, None)
    counts = {(row.organization_id, row.province): (row.answered, row.waiting) for row in tree}
    assert counts == {(actors.org, "92"): (1, 0), (actors.other_org, "92"): (0, 1)}
    assert {row.organization_id for row in everyone} == {actors.org, actors.other_org, outside}
