"""The admins' mail page: the backlog, the dead messages without their links (a link may hold a
one-time token), "Retry" for one and for all (audited), in both languages; other roles refused."""

from __future__ import annotations

import asyncpg
import pytest

from service.notify.kinds import Kind
from service.notify.outbox import send_mail
from tests.integration.conftest import Actors
from tests.integration.pages.conftest import Browser, text

TOKEN = "one-time-secret-token-abc123"


async def _dead_mail(pool: asyncpg.Pool, actors: Actors) -> dict[str, int]:
    """Two dead mails (a reset link with a token, a referral) and one still queued; their ids by kind."""
    async with pool.acquire() as conn:
        assert actors.caseworker.user_id and actors.partner.user_id
        await send_mail(conn, actors.caseworker.user_id, Kind.PASSWORD_RESET, f"/account/set-password?t={TOKEN}", "r1")
        await send_mail(conn, actors.partner.user_id, Kind.REFERRAL_RECEIVED, "/partner/referrals/x", "ref:x")
        await conn.execute(
            "UPDATE mail_outbox SET status = 'dead', attempts = 8, last_error = '550 5.1.1 no such mailbox'"
        )
        await send_mail(conn, actors.partner.user_id, Kind.REFERRAL_DUE_SOON, "/partner/referrals/y", "ref:y")
        rows = await conn.fetch("SELECT id, kind FROM mail_outbox WHERE status = 'dead'")
    return {row["kind"]: row["id"] for row in rows}


async def test_admin_sees_the_backlog_and_dead_mail_without_its_links(
    browser: Browser, actors: Actors, pool: asyncpg.Pool
) -> None:
    await _dead_mail(pool, actors)
    await browser.login(actors.admin)
    await browser.get("/lang/en")
    page = await browser.get("/admin/mail")
    assert page.status_code == 200
    shown = text(page)
    assert "Queued 1" in shown and "Could not be sent 2" in shown
    assert actors.caseworker.email in shown and actors.partner.email in shown
    assert "A password reset was asked for" in shown and "A referral arrived for your organization" in shown
    assert "550 5.1.1 no such mailbox" in shown
    assert TOKEN not in page.text and "/partner/referrals/x" not in page.text
    await browser.get("/lang/vi")
    vietnamese = text(await browser.get("/admin/mail"))
    assert "Thư không gửi được" in vietnamese and "Gửi lại tất cả" in vietnamese


async def test_retry_one_then_all_is_audited(browser: Browser, actors: Actors, pool: asyncpg.Pool) -> None:
    ids = await _dead_mail(pool, actors)
    await browser.login(actors.admin)
    await browser.get("/lang/en")
    one = await browser.submit("/admin/mail/retry", {"id": str(ids[Kind.PASSWORD_RESET])})
    assert one.status_code == 303 and one.headers["location"] == "/admin/mail?retried=1"
    assert "1 message was queued again." in text(await browser.get(one.headers["location"]))
    rows = {r["kind"]: r for r in await pool.fetch("SELECT kind, status, attempts FROM mail_outbox")}
    assert (rows[Kind.PASSWORD_RESET]["status"], rows[Kind.PASSWORD_RESET]["attempts"]) == ("queued", 0)
    assert rows[Kind.REFERRAL_RECEIVED]["status"] == "dead"

    everything = await browser.submit("/admin/mail/retry", {})
    assert everything.headers["location"] == "/admin/mail?retried=1"
    assert await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'dead'") == 0
    audit = await pool.fetch("SELECT actor_id, details FROM audit_log WHERE action = 'mail.retry' ORDER BY id")
    assert [(r["actor_id"], r["details"]) for r in audit] == [
        (actors.admin.user_id, {"ids": [ids[Kind.PASSWORD_RESET]], "count": 1}),
        (actors.admin.user_id, {"ids": "all", "count": 1}),
    ]


@pytest.mark.parametrize("role", ["partner", "caseworker", "coordinator"])
async def test_other_roles_are_refused(browser: Browser, actors: Actors, pool: asyncpg.Pool, role: str) -> None:
    await _dead_mail(pool, actors)
    await browser.login(getattr(actors, role))
    assert (await browser.get("/admin/mail")).status_code == 403
    assert (await browser.submit("/admin/mail/retry", {})).status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'dead'") == 2


async def test_without_a_sign_in_the_page_asks_for_one(browser: Browser) -> None:
    response = await browser.get("/admin/mail")
    assert response.status_code in (302, 303) and response.headers["location"].startswith("/login")
