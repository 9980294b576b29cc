"""Durability of the mail worker: SIGKILL `ketnoi serve` in the middle of a batch of mail, at the
worst moment — the relay has accepted a message and the worker has not yet heard its "250" — then
start it again. Every recipient gets every event's mail, and nobody gets one twice except the one
message that was in flight.

That one duplicate is the honest limit: SMTP has no two-phase commit, so a sender killed between the
relay's acceptance and its own commit cannot know the message went out. The worker commits each
message's "sent" as soon as the relay accepts it, so the window is one message wide (not a batch),
and the resend carries the same Message-ID, so a receiving system can recognise and drop it."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest

from service.auth.models import Role
from service.crypto import new_key
from service.db import connect
from service.notify.kinds import Kind
from service.notify.outbox import send_mail
from tests.integration.conftest import make_actor, make_org
from tests.integration.notify.smtp_server import Handler, SmtpServer
from tests.integration.reliability.service_process import ServiceProcess

RECIPIENTS = 30
EVENTS = (Kind.REFERRAL_ACCEPTED, Kind.REFERRAL_DECLINED, Kind.REFERRAL_COMPLETED, Kind.PLAN_APPROVED,
          Kind.MILESTONE_DUE)  # fmt: skip
HOLD_AT = 130  # mid-way through the second batch of 100


@pytest.fixture
async def mail_database(migrated_db: Callable[[str], Awaitable[str]]) -> str:
    return await migrated_db("kn_mail_crash")


@pytest.fixture
def relay() -> Iterator[tuple[SmtpServer, Handler]]:
    handler = Handler(hold_at=HOLD_AT, hold_s=5.0)
    server = SmtpServer(handler)
    server.start()
    yield server, handler
    server.stop()


async def _wait_until_all_sent(conn: asyncpg.Connection, total: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while await conn.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'sent'") < total:
        assert time.monotonic() < deadline, "the restarted worker did not drain the outbox"
        await asyncio.sleep(0.1)


async def test_a_sigkill_mid_batch_resends_at_most_the_one_message_in_flight(
    mail_database: str, password_hash: str, tmp_path: Path, relay: tuple[SmtpServer, Handler]
) -> None:
    server, handler = relay
    conn = await connect(mail_database)
    try:
        org = await make_org(conn, "Hội LHPN (thử thư)")
        users = [
            await make_actor(conn, f"mail-crash-{i}", Role.CASEWORKER, org, password_hash) for i in range(RECIPIENTS)
        ]
        for n, kind in enumerate(EVENTS):
            for user in users:
                assert user.user_id is not None
                await send_mail(conn, user.user_id, kind, f"/cases/c{n}", f"crash:{n}")
        total = RECIPIENTS * len(EVENTS)

        service = ServiceProcess(mail_database, new_key(), new_key(), tmp_path / "serve.log", workers=1)
        service.env.update(
            KETNOI_SMTP_URL=f"smtp://127.0.0.1:{server.port}", KETNOI_MAIL_INTERVAL="0.2", KETNOI_REMINDER_INTERVAL="0"
        )
        await asyncio.to_thread(service.start)
        try:
            assert await asyncio.to_thread(handler.held.wait, 60), "the worker never reached the held message"
            service.kill()  # the relay has message HOLD_AT; the worker is still waiting for its 250
        finally:
            service.kill()
        handler.hold_at = None

        # Each accepted message was committed as sent before the next one started; only the held one was not.
        assert await conn.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'sent'") == HOLD_AT - 1

        await asyncio.to_thread(service.start)
        try:
            await _wait_until_all_sent(conn, total)
        finally:
            service.stop()
        rows = await conn.fetch("SELECT o.message_id, u.email FROM mail_outbox o JOIN app_user u ON u.id = o.user_id")
    finally:
        await conn.close()

    received = Counter((r.message["Message-ID"], r.recipients[0]) for r in handler.received)
    expected = {(row["message_id"], row["email"]) for row in rows}
    assert len(expected) == total  # one stable Message-ID per recipient and event
    assert set(received) == expected  # every recipient got every event's mail, and nothing else
    twice = [key for key, count in received.items() if count > 1]
    assert len(twice) == 1 and received[twice[0]] == 2  # only the message in flight, once more
    assert len(handler.received) == total + 1
