"""Invitation and reset end to end through a real SMTP server in this process (aiosmtpd): the mail
the worker sends is read as a mail client would, its link followed, a password set with it, and
the password used to log in (issue 16, point 4). Once the server has the mail, the outbox keeps
no token."""

from __future__ import annotations

import re
from email.message import EmailMessage
from urllib.parse import urlsplit

import asyncpg
import httpx

from service.config import Settings
from service.notify.transport import SmtpTransport
from service.notify.worker import MailWorker
from tests.integration.conftest import Actors
from tests.integration.notify.smtp_server import Handler, SmtpServer
from tests.integration.pages.conftest import Browser

SETTINGS = Settings(base_url="https://ketnoi.example.org")
NEW_PASSWORD = "đèn lồng phố Hội An"


async def deliver(pool: asyncpg.Pool, server: SmtpServer) -> None:
    worker = MailWorker(pool, SmtpTransport("127.0.0.1", server.port), SETTINGS)
    assert await worker.drain_once() >= 1
    await worker.transport.close()


def the_link(message: EmailMessage) -> str:
    """The set-password link as a reader taps it: in the plain body, and the same in the HTML."""
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    found = re.findall(r"https://ketnoi\.example\.org/account/set-password\?token=[\w-]+", plain.get_content())
    assert len(found) == 1, plain.get_content()
    assert f'href="{found[0]}"' in html.get_content()
    return found[0]


async def follow(browser: Browser, link: str, password: str = NEW_PASSWORD) -> httpx.Response:
    """Open the link on this site, then send its form as the page does."""
    parts = urlsplit(link)
    opened = await browser.get(f"{parts.path}?{parts.query}")
    assert opened.status_code == 200, opened.text
    token = re.search(r'name="token" value="([^"]+)"', opened.text)
    assert token is not None
    return await browser.submit(parts.path, {"token": token.group(1), "password": password, "repeat": password})


async def test_an_invitation_arrives_by_smtp_and_its_link_sets_the_password(
    client: httpx.AsyncClient,
    actors: Actors,
    browser: Browser,
    pool: asyncpg.Pool,
    smtp_server: SmtpServer,
    handler: Handler,
) -> None:
    created = await client.post(
        "/api/v1/users",
        json={
            "email": "lan@example.org",
            "role": "caseworker",
            "organization_id": str(actors.org),
            "display_name": "Lan",
        },
        headers=actors.admin.headers,
    )
    assert created.status_code == 201, created.text
    await deliver(pool, smtp_server)
    [received] = handler.received
    assert received.recipients == ["lan@example.org"]
    assert received.message["Subject"] == "Bạn được mời tham gia Kết Nối"  # the account's language: Vietnamese
    link = the_link(received.message)
    # once the server has it, the outbox row keeps no way in
    assert await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE link LIKE '%token=%'") == 0

    done = await follow(browser, link)
    assert done.status_code == 303 and done.headers["location"] == "/cases"
    await browser.submit("/logout")
    await browser.login("lan@example.org", NEW_PASSWORD)
    assert (await browser.get(link.removeprefix("https://ketnoi.example.org"))).status_code == 410


async def test_a_reset_asked_for_on_the_login_page_arrives_in_english_for_an_english_user(
    actors: Actors, browser: Browser, pool: asyncpg.Pool, smtp_server: SmtpServer, handler: Handler
) -> None:
    await pool.execute("UPDATE app_user SET locale = 'en' WHERE id = $1", actors.partner.user_id)
    asked = await browser.submit("/account/forgot-password", {"email": actors.partner.email})
    assert asked.status_code == 200
    await deliver(pool, smtp_server)
    [received] = handler.received
    assert received.recipients == [actors.partner.email]
    assert received.message["Subject"] == "Set a new Kết Nối password"
    done = await follow(browser, the_link(received.message))
    assert done.status_code == 303 and done.headers["location"] == "/partner/referrals"
    await browser.submit("/logout")
    await browser.login(actors.partner, NEW_PASSWORD)
