"""The mail worker against a real SMTP server in this process: both bodies and the standard
headers in the recipient's language, STARTTLS, a refused log-in, the server going away mid-batch
and coming back (the backlog drains, nobody gets one event twice), dead after N attempts and
retried by an admin, and the embedded Maildir read back with the standard library."""

from __future__ import annotations

import mailbox
import ssl
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import pytest

from service.config import Settings
from service.notify import status
from service.notify.kinds import Kind
from service.notify.outbox import notify, send_mail
from service.notify.transport import MaildirTransport, SmtpTransport
from service.notify.worker import MailWorker
from tests.integration.conftest import Actors
from tests.integration.notify.smtp_server import PASSWORD, USER, Handler, SmtpServer, certificate

pytestmark = pytest.mark.usefixtures("app")

SETTINGS = Settings(base_url="https://ketnoi.example.org", mail_max_attempts=3)


def smtp(server: SmtpServer, **options: object) -> SmtpTransport:
    return SmtpTransport("127.0.0.1", server.port, **options)  # type: ignore[arg-type]


async def due_now(pool: asyncpg.Pool) -> None:
    """Skip the back-off wait (the test, not the clock, decides when the next attempt is)."""
    await pool.execute("UPDATE mail_outbox SET next_attempt_at = now() WHERE status = 'queued'")


async def test_delivers_both_bodies_and_the_headers_in_the_users_language(
    pool: asyncpg.Pool, actors: Actors, smtp_server: SmtpServer, handler: Handler
) -> None:
    await pool.execute("UPDATE app_user SET locale = 'en' WHERE id = $1", actors.caseworker.user_id)
    async with pool.acquire() as conn:
        await notify(conn, [actors.partner.user_id], Kind.REFERRAL_RECEIVED, "/partner/referrals/r1", "ref:r1:in")
        await notify(conn, [actors.caseworker.user_id], Kind.REFERRAL_ACCEPTED, "/cases/c1/referrals/r1", "ref:r1:ok")
    worker = MailWorker(pool, smtp(smtp_server), SETTINGS)
    assert await worker.drain_once() == 2
    await worker.transport.close()
    by_recipient = {r.recipients[0]: r.message for r in handler.received}
    assert set(by_recipient) == {actors.partner.email, actors.caseworker.email}

    vi, en = by_recipient[actors.partner.email], by_recipient[actors.caseworker.email]
    assert vi["Subject"] == "Có một chuyển gửi mới đến tổ chức của bạn"
    assert en["Subject"] == "Your referral was accepted"
    assert en["To"].addresses[0].addr_spec == actors.caseworker.email
    assert en["From"] == SETTINGS.mail_from
    assert en["List-Unsubscribe"] == "<https://ketnoi.example.org/notifications/settings>"
    assert en["Date"] and en["Content-Language"] == "en"
    rows = {r["user_id"]: r for r in await pool.fetch("SELECT * FROM mail_outbox")}
    assert en["Message-ID"] == rows[actors.caseworker.user_id]["message_id"]
    assert all(row["status"] == "sent" and row["sent_at"] for row in rows.values())
    text = en.get_body(("plain",)).get_content()
    html = en.get_body(("html",)).get_content()
    assert "https://ketnoi.example.org/cases/c1/referrals/r1" in text
    assert 'href="https://ketnoi.example.org/cases/c1/referrals/r1"' in html
    assert "A partner accepted a referral you sent." in text and "Open the referral" in html
    assert "Một đối tác" not in text
    assert "Mở chuyển gửi" in vi.get_body(("plain",)).get_content()


async def test_starttls_and_log_in(pool: asyncpg.Pool, actors: Actors, handler: Handler, tmp_path: Path) -> None:
    cert, key = certificate(tmp_path)
    server = SmtpServer(handler, tls=(cert, key), auth=True)
    server.start()
    try:
        async with pool.acquire() as conn:
            await send_mail(conn, actors.partner.user_id, Kind.INVITATION, "/set-password/tok", "invite:1")
        trusted = ssl.create_default_context(cafile=str(cert))
        url = f"smtp://{USER}:{PASSWORD}@127.0.0.1:{server.port}?starttls=require"
        worker = MailWorker(pool, SmtpTransport.from_url(url, tls_context=trusted), SETTINGS)
        assert await worker.drain_once() == 1
        await worker.transport.close()
    finally:
        server.stop()
    [received] = handler.received
    assert received.tls and received.login == USER
    assert "https://ketnoi.example.org/set-password/tok" in received.message.get_body(("plain",)).get_content()
    # the one-time link is not kept once the mail is out
    assert await pool.fetchval("SELECT link FROM mail_outbox") == ""


# a relay in the clear with log-in: only to prove a refused log-in, never how to run one
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_a_refused_log_in_keeps_the_mail_queued(
    pool: asyncpg.Pool, actors: Actors, handler: Handler, tmp_path: Path
) -> None:
    server = SmtpServer(handler, auth=True)
    server.start()
    try:
        async with pool.acquire() as conn:
            for n in range(3):
                await send_mail(conn, actors.partner.user_id, Kind.PASSWORD_RESET, f"/reset/{n}", f"reset:{n}")
        worker = MailWorker(pool, smtp(server, username=USER, password="wrong"), SETTINGS)
        assert await worker.drain_once() == 1  # the first fails; the others keep their attempts
        assert worker.outages == 1 and worker.pause_s() >= 1
        rows = await pool.fetch("SELECT status, attempts, last_error FROM mail_outbox ORDER BY id")
        assert [(r["status"], r["attempts"]) for r in rows] == [("queued", 1), ("queued", 0), ("queued", 0)]
        assert "refused our log-in" in rows[0]["last_error"] and "535" in rows[0]["last_error"]
        assert handler.received == []
        worker = MailWorker(pool, smtp(server, username=USER, password=PASSWORD), SETTINGS)
        await due_now(pool)
        assert await worker.drain_once() == 3
        await worker.transport.close()
    finally:
        server.stop()
    assert len(handler.received) == 3


async def test_server_goes_away_mid_batch_and_comes_back(
    pool: asyncpg.Pool, actors: Actors, handler: Handler, password_hash: str
) -> None:
    users = []
    async with pool.acquire() as conn:
        for n in range(30):
            user_id = uuid.uuid4()
            await conn.execute(
                "INSERT INTO app_user (id, email, password_hash, role, organization_id)"
                " VALUES ($1, $2, $3, 'partner', $4)",
                user_id,
                f"partner{n}@example.org",
                password_hash,
                actors.org,
            )
            users.append(user_id)
        await notify(conn, users, Kind.REFERRAL_RECEIVED, "/partner/referrals/r9", "ref:r9:in")
    server = SmtpServer(handler)
    handler.go_away_after = 10
    server.start()
    worker = MailWorker(pool, smtp(server), SETTINGS)
    try:
        assert await worker.drain_once() == 11  # ten accepted, the eleventh cut off
        assert len(handler.received) == 10
        server.stop()  # and it stays away for a while
        await due_now(pool)
        assert await worker.drain_once() == 1
        assert worker.outages == 2
        assert await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'sent'") == 10
        handler.go_away_after = None
        server.start()  # back, on the same address
        await due_now(pool)
        while await worker.drain_once():
            await due_now(pool)
        await worker.transport.close()
    finally:
        server.stop()
    assert worker.outages == 0
    sent = Counter((r.recipients[0], r.message["Message-ID"]) for r in handler.received)
    assert len(sent) == 30 and set(sent.values()) == {1}, "each recipient got the event exactly once"
    assert await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'sent'") == 30
    assert (await status.backlog(pool)).queued == 0  # type: ignore[arg-type]


async def test_dead_after_max_attempts_and_retried(
    pool: asyncpg.Pool, actors: Actors, smtp_server: SmtpServer, handler: Handler
) -> None:
    handler.refuse_recipients = True
    async with pool.acquire() as conn:
        await notify(conn, [actors.partner.user_id], Kind.REFERRAL_RECEIVED, "/partner/referrals/r2", "ref:r2:in")
        await notify(conn, [actors.partner.user_id], Kind.REFERRAL_EXPIRED, "/partner/referrals/r3", "ref:r3:exp")
    worker = MailWorker(pool, smtp(smtp_server), SETTINGS)
    for attempt in range(1, SETTINGS.mail_max_attempts + 1):
        assert await worker.drain_once() == 2  # a refused recipient is this message's failure: both tried
        assert worker.outages == 0
        rows = await pool.fetch("SELECT status, attempts, next_attempt_at - now() AS wait FROM mail_outbox")
        assert {r["attempts"] for r in rows} == {attempt}
        if attempt < SETTINGS.mail_max_attempts:
            assert all(r["status"] == "queued" and r["wait"].total_seconds() > 2**attempt - 1 for r in rows)
        await due_now(pool)
    async with pool.acquire() as conn:
        backlog = await status.backlog(conn)
        assert (backlog.queued, backlog.dead) == (0, 2)
        dead = await status.dead_messages(conn)
        assert "550" in dead[0]["last_error"] and dead[0]["email"] == actors.partner.email
        assert await worker.drain_once() == 0  # dead stays dead
        handler.refuse_recipients = False
        assert await status.retry_dead(conn, [dead[0]["id"]]) == 1
        assert await worker.drain_once() == 1
        assert await status.retry_dead(conn) == 1
        assert await worker.drain_once() == 1
    await worker.transport.close()
    assert len(handler.received) == 2
    assert await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'sent'") == 2


async def test_maildir_delivery_is_readable_with_the_standard_library(
    pool: asyncpg.Pool, actors: Actors, tmp_path: Path
) -> None:
    async with pool.acquire() as conn:
        await notify(conn, [actors.coordinator.user_id], Kind.EMERGENCY_OVERRIDE, "/cases/c7", "override:7")
    worker = MailWorker(pool, MaildirTransport(tmp_path / "mail"), SETTINGS)
    assert await worker.drain_once() == 1
    [message] = mailbox.Maildir(tmp_path / "mail", create=False).values()
    assert message["To"].endswith(f"<{actors.coordinator.email}>")
    assert message["Message-ID"] == await pool.fetchval("SELECT message_id FROM mail_outbox")
    parts = [part.get_content_type() for part in message.walk()]
    assert "text/plain" in parts and "text/html" in parts


async def test_the_envelope_holds_the_addresses_when_names_are_vietnamese(
    pool: asyncpg.Pool, actors: Actors, smtp_server: SmtpServer, handler: Handler
) -> None:
    """A display name with diacritics (and a comma) must not leak into MAIL FROM / RCPT TO: a relay
    without SMTPUTF8 would refuse every mail, one with it would route to "Cán"."""
    await pool.execute("UPDATE app_user SET display_name = 'Cán bộ Lê Thị Hà, xã Mỹ Xuyên' WHERE id = $1",
                       actors.partner.user_id)  # fmt: skip
    async with pool.acquire() as conn:
        await notify(conn, [actors.partner.user_id], Kind.REFERRAL_RECEIVED, "/partner/referrals/r9", "ref:r9:in")
    worker = MailWorker(pool, smtp(smtp_server), Settings(base_url="https://ketnoi.example.org"))
    assert await worker.drain_once() == 1
    await worker.transport.close()
    (received,) = handler.received
    assert received.recipients == [actors.partner.email]
    assert received.mail_from == "no-reply@ketnoi.invalid"
    assert received.message["To"].addresses[0].display_name == "Cán bộ Lê Thị Hà, xã Mỹ Xuyên"
