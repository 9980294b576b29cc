"""Invitations and password resets (issue 16, point 4): an account created without a password,
the one-time links that set one (stored hashed, single use, expiring, ended by a newer link), the
refusal pages, "Forgot your password?" answering the same whether or not an account exists, and its
throttle."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest
from litestar import Litestar

from service.auth.secrets import token_digest
from service.errors import TooManyRequests
from service.notify import invitations
from tests.integration.conftest import PASSWORD, Actors
from tests.integration.pages.conftest import Browser, text

NEW_PASSWORD = "mưa rào chiều thứ bảy"


@pytest.fixture
async def browser(browser: Browser) -> Browser:
    """The pages in English, which the assertions read (the Vietnamese is checked on its own)."""
    await browser.get("/lang/en")
    return browser


async def queued_link(pool: asyncpg.Pool, email: str) -> str:
    """The link of the newest mail queued for ``email`` (before it is sent, its row holds it)."""
    async with pool.acquire() as conn:
        link = await conn.fetchval(
            "SELECT m.link FROM mail_outbox m JOIN app_user u ON u.id = m.user_id"
            " WHERE lower(u.email) = lower($1) ORDER BY m.id DESC LIMIT 1",
            email,
        )
    assert link, f"no mail queued for {email}"
    return str(link)


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def invite(client: httpx.AsyncClient, actors: Actors, email: str = "moi@example.org") -> dict[str, str]:
    response = await client.post(
        "/api/v1/users",
        json={"email": email, "role": "partner", "organization_id": str(actors.org), "display_name": "Chị Lan"},
        headers=actors.admin.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def set_through(
    browser: Browser, link: str, password: str = NEW_PASSWORD, repeat: str | None = None
) -> httpx.Response:
    return await browser.submit(
        "/account/set-password", {"token": token_of(link), "password": password, "repeat": repeat or password}
    )


async def test_an_invited_user_sets_a_password_through_the_link_and_logs_in(
    client: httpx.AsyncClient, actors: Actors, browser: Browser, pool: asyncpg.Pool
) -> None:
    user = await invite(client, actors)
    link = await queued_link(pool, "moi@example.org")
    assert link.startswith("/account/set-password?token=")
    async with pool.acquire() as conn:
        kind = await conn.fetchval("SELECT kind FROM mail_outbox WHERE link = $1", link)
        stored = await conn.fetchrow("SELECT * FROM set_password_link WHERE user_id = $1", uuid.UUID(user["id"]))
        no_password = await conn.fetchval(
            "SELECT password_hash IS NULL FROM app_user WHERE id = $1", uuid.UUID(user["id"])
        )
    assert kind == "invitation" and no_password
    # only the token's hash is kept, and the invitation lasts 72 hours
    assert stored["token_hash"] == token_digest(token_of(link)) and token_of(link).encode() not in stored["token_hash"]
    assert 71.9 * 3600 < (stored["expires_at"] - stored["created_at"]).total_seconds() <= 72 * 3600
    refused = await browser.submit("/login", {"email": "moi@example.org", "password": "", "next": "/"})
    assert refused.status_code == 401  # no password yet: no way in

    opened = await browser.get(link)
    assert opened.status_code == 200 and "moi@example.org" in text(opened)
    # other sites get no more of the address than its origin, never the token
    assert opened.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    done = await set_through(browser, link)
    # signed in at once, where a partner works
    assert done.status_code == 303 and done.headers["location"] == "/partner/referrals"
    assert (await browser.get("/partner/referrals")).status_code == 200
    await browser.submit("/logout")
    await browser.login("moi@example.org", NEW_PASSWORD)
    async with pool.acquire() as conn:
        actions = await conn.fetch(
            "SELECT action, actor_id FROM audit_log WHERE entity_id = $1 ORDER BY id", uuid.UUID(user["id"])
        )
    assert [a["action"] for a in actions][:3] == ["user.create", "user.invite", "user.password_set_by_link"]
    assert actions[2]["actor_id"] == uuid.UUID(user["id"])  # the user's own act


async def test_a_link_works_once(
    client: httpx.AsyncClient, actors: Actors, browser: Browser, pool: asyncpg.Pool
) -> None:
    await invite(client, actors)
    link = await queued_link(pool, "moi@example.org")
    assert (await set_through(browser, link)).status_code == 303
    for again in (await browser.get(link), await set_through(browser, link, "another long password")):
        assert again.status_code == 410
        assert "already used" in text(again) and 'href="/account/forgot-password"' in again.text
    await browser.login("moi@example.org", NEW_PASSWORD)  # the second try changed nothing


async def test_an_expired_link_is_refused_with_a_way_to_a_new_one(
    client: httpx.AsyncClient, actors: Actors, browser: Browser, pool: asyncpg.Pool
) -> None:
    await invite(client, actors)
    link = await queued_link(pool, "moi@example.org")
    async with pool.acquire() as conn:
        await conn.execute("UPDATE set_password_link SET expires_at = now() - interval '1 second'")
    for refused in (await browser.get(link), await set_through(browser, link)):
        assert refused.status_code == 410 and "expired" in text(refused)
        # an invitation: the administrator can send it again, or the user asks for a link
        assert "administrator" in text(refused) and 'href="/account/forgot-password"' in refused.text


@pytest.mark.parametrize("tamper", ["cut", "changed", "missing"])
async def test_a_tampered_or_unknown_link_is_refused(
    client: httpx.AsyncClient, actors: Actors, browser: Browser, pool: asyncpg.Pool, tamper: str
) -> None:
    await invite(client, actors)
    token = token_of(await queued_link(pool, "moi@example.org"))
    bad = {"cut": token[:-3], "changed": ("A" if token[5] != "A" else "B").join((token[:5], token[6:])), "missing": ""}
    for refused in (
        await browser.get(f"/account/set-password?token={bad[tamper]}"),
        await browser.submit(
            "/account/set-password", {"token": bad[tamper], "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
        ),
    ):
        assert refused.status_code == 404 and "not known" in text(refused)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM set_password_link WHERE used_at IS NOT NULL") == 0


async def test_a_newer_link_ends_the_older_one(
    client: httpx.AsyncClient, actors: Actors, browser: Browser, pool: asyncpg.Pool
) -> None:
    user = await invite(client, actors)
    first = await queued_link(pool, "moi@example.org")
    await browser.login(actors.admin)
    again = await browser.submit(f"/admin/users/{user['id']}/set-password-link")
    assert again.status_code == 303 and again.headers["location"].endswith("?saved=invitation")
    second = await queued_link(pool, "moi@example.org")
    assert second != first
    page = await browser.get(again.headers["location"])
    assert "no longer works" in text(page)
    refused = await set_through(browser, first)
    assert refused.status_code == 410 and "newer link" in text(refused)
    assert (await set_through(browser, second)).status_code == 303


async def test_using_a_link_ends_every_session_and_token_of_the_account(
    client: httpx.AsyncClient, actors: Actors, browser: Browser, pool: asyncpg.Pool, app: Litestar
) -> None:
    """A reset is a password change: whoever held a session or a token before it is out."""
    partner = actors.partner
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as phone:
        signed_in = Browser(phone)  # the partner's phone, signed in before the reset
        await signed_in.login(partner)
        await reset_and_check(client, actors, browser, pool, signed_in)


async def reset_and_check(
    client: httpx.AsyncClient, actors: Actors, browser: Browser, pool: asyncpg.Pool, signed_in: Browser
) -> None:
    partner = actors.partner
    assert (await client.get("/api/v1/me", headers=partner.headers)).status_code == 200
    await invitations.request_reset(pool, partner.email or "", "198.51.100.7")
    link = await queued_link(pool, partner.email or "")
    async with pool.acquire() as conn:
        purpose, lifetime = await conn.fetchrow(
            "SELECT purpose, expires_at - created_at FROM set_password_link WHERE used_at IS NULL AND ended_at IS NULL"
        )
    assert purpose == "password_reset" and lifetime.total_seconds() == 3600
    assert (await set_through(browser, link)).status_code == 303
    assert (await client.get("/api/v1/me", headers=partner.headers)).status_code == 401
    assert (await signed_in.get("/partner")).headers["location"].startswith("/login")
    refused = await browser.submit("/login", {"email": partner.email, "password": PASSWORD, "next": "/"})
    assert refused.status_code == 401  # the old password is gone
    await browser.login(partner, NEW_PASSWORD)


async def test_a_deactivated_account_cannot_use_its_link(
    client: httpx.AsyncClient, actors: Actors, browser: Browser, pool: asyncpg.Pool
) -> None:
    user = await invite(client, actors)
    link = await queued_link(pool, "moi@example.org")
    async with pool.acquire() as conn:
        # deactivated by hand, so the link is not also ended (as deactivating through the API does)
        await conn.execute("UPDATE app_user SET active = false WHERE id = $1", uuid.UUID(user["id"]))
    refused = await set_through(browser, link)
    assert refused.status_code == 403 and "deactivated" in text(refused)
    deactivated = await client.patch(
        f"/api/v1/users/{user['id']}", json={"active": False}, headers=actors.admin.headers
    )
    assert deactivated.status_code == 200
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM set_password_link WHERE ended_at IS NULL") == 0


@pytest.mark.parametrize(
    ("password", "repeat", "field"),
    [("short", "short", "10 to 200"), (NEW_PASSWORD, NEW_PASSWORD + "!", "not the same")],
)
async def test_a_password_against_the_rules_is_refused_and_the_link_still_works(
    client: httpx.AsyncClient,
    actors: Actors,
    browser: Browser,
    pool: asyncpg.Pool,
    password: str,
    repeat: str,
    field: str,
) -> None:
    await invite(client, actors)
    link = await queued_link(pool, "moi@example.org")
    refused = await set_through(browser, link, password, repeat)
    assert refused.status_code == 422 and field in text(refused)
    assert f'value="{token_of(link)}"' in refused.text  # the form keeps the link for the next try
    assert (await set_through(browser, link)).status_code == 303


async def test_the_admin_form_creates_a_user_without_a_password_and_mails_the_invitation(
    actors: Actors, browser: Browser, pool: asyncpg.Pool
) -> None:
    await browser.login(actors.admin)
    created = await browser.submit(
        "/admin/users",
        {
            "email": "hoa@example.org",
            "display_name": "Chị Hoa",
            "role": "caseworker",
            "organization_id": str(actors.org),
            "password": "",
        },
    )
    assert created.status_code == 303, created.text
    page = await browser.get(created.headers["location"])
    assert "mailed a link" in text(page) and "Invited" in text(page) and "Send the invitation again" in text(page)
    assert (await queued_link(pool, "hoa@example.org")).startswith("/account/set-password?token=")
    # a user with a password is mailed a reset link instead
    user_page = await browser.get(f"/admin/users/{actors.partner.user_id}")
    assert "Mail them a link to set a new password" in text(user_page) and "Invited" not in text(user_page)
    sent = await browser.submit(f"/admin/users/{actors.partner.user_id}/set-password-link")
    assert sent.headers["location"].endswith("?saved=password_reset")
    async with pool.acquire() as conn:
        assert (
            await conn.fetchval("SELECT kind FROM mail_outbox WHERE user_id = $1", actors.partner.user_id)
            == "password_reset"
        )


# -- "Forgot your password?": no account enumeration, and a throttle ---------------------------------


async def timed_request(browser: Browser, email: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await browser.submit("/account/forgot-password", {"email": email})
    return response, time.perf_counter() - started


async def test_forgot_password_answers_the_same_whether_or_not_the_address_has_an_account(
    actors: Actors, browser: Browser, pool: asyncpg.Pool
) -> None:
    assert 'href="/account/forgot-password"' in (await browser.get("/login")).text
    known, known_s = await timed_request(browser, actors.partner.email or "")
    unknown, unknown_s = await timed_request(browser, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    same = text(known).replace(actors.partner.email or "", "ADDRESS")
    assert same == text(unknown).replace("nobody@example.org", "ADDRESS")
    assert "If an account uses" in same
    # the answer waits for the slower path either way, so timing tells nothing
    assert known_s >= invitations.ANSWER_SECONDS and unknown_s >= invitations.ANSWER_SECONDS
    assert abs(known_s - unknown_s) < 0.15
    async with pool.acquire() as conn:
        mailed = await conn.fetch("SELECT user_id, kind FROM mail_outbox")
    assert [(m["user_id"], m["kind"]) for m in mailed] == [(actors.partner.user_id, "password_reset")]


async def test_a_deactivated_account_is_sent_nothing_and_told_the_same(
    client: httpx.AsyncClient, actors: Actors, browser: Browser, pool: asyncpg.Pool
) -> None:
    await client.patch(f"/api/v1/users/{actors.partner.user_id}", json={"active": False}, headers=actors.admin.headers)
    answer, _ = await timed_request(browser, actors.partner.email or "")
    assert answer.status_code == 200 and "If an account uses" in text(answer)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM mail_outbox") == 0


async def clear_of_a_window_edge(window: timedelta, margin_s: float = 20.0) -> None:
    """Wait out the end of the throttle's fixed window when it is near: requests on both sides of it
    count in two windows, and none would be refused (a CI run crossed 07:45:00 mid-test)."""
    left = window.total_seconds() - time.time() % window.total_seconds()
    if left < margin_s:
        await asyncio.sleep(left + 0.5)


@pytest.mark.parametrize("exists", [True, False])
async def test_asking_too_often_for_one_address_is_refused_whether_or_not_it_exists(
    actors: Actors, browser: Browser, pool: asyncpg.Pool, exists: bool
) -> None:
    email = actors.partner.email or "" if exists else "nobody@example.org"
    await clear_of_a_window_edge(invitations.WINDOW)
    for _ in range(invitations.LIMITS["email"]):
        assert (await browser.submit("/account/forgot-password", {"email": email})).status_code == 200
    refused = await browser.submit("/account/forgot-password", {"email": email.upper()})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Too many requests" in text(refused)
    async with pool.acquire() as conn:
        mailed = await conn.fetchval("SELECT count(*) FROM mail_outbox")
    assert mailed == (invitations.LIMITS["email"] if exists else 0)
    # another address is still served
    assert (await browser.submit("/account/forgot-password", {"email": "someone@example.org"})).status_code == 200


async def test_one_client_asking_about_many_addresses_is_refused(
    pool: asyncpg.Pool, actors: Actors, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(invitations, "ANSWER_SECONDS", 0.0)  # many requests; their timing is tested above
    for n in range(invitations.LIMITS["ip"]):
        await invitations.request_reset(pool, f"guess-{n}@example.org", "203.0.113.9")
    with pytest.raises(TooManyRequests):
        await invitations.request_reset(pool, actors.partner.email or "", "203.0.113.9")
    await invitations.request_reset(pool, actors.partner.email or "", "203.0.113.10")  # another client
