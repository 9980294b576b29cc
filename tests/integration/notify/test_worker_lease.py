"""The mail worker's leases and its several connections, against a real SMTP server in this
process: replicas draining one outbox at once send each row exactly once; a row leased by a worker
that died is nobody's until its lease runs out and then anybody's; while the relay holds a message
it has accepted, no other message gets past that point (so a SIGKILL can leave at most that one
without its "sent"); and a relay going away mid-batch, on several connections at once, spends one
attempt and hands the rest back untouched."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest

from service.config import Settings
from service.notify.kinds import Kind
from service.notify.outbox import notify
from service.notify.transport import Outgoing, SmtpTransport, TransportUnavailable
from service.notify.worker import _LEASE, BATCH, LEASE, MailWorker
from tests.integration.conftest import Actors
from tests.integration.notify.smtp_server import Handler, SmtpServer

pytestmark = pytest.mark.usefixtures("app")

SETTINGS = Settings(base_url="https://ketnoi.example.org", mail_max_attempts=3)


@dataclass
class Peers(Handler):
    """A relay that also notes which connection (client port) each message came on."""

    peers: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


async def queue(pool: asyncpg.Pool, actors: Actors, password_hash: str, count: int) -> list[uuid.UUID]:
    """``count`` partners of one organization, each told of one referral (one mail each)."""
    users = [uuid.uuid4() for _ in range(count)]
    async with pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO app_user (id, email, password_hash, role, organization_id) VALUES ($1, $2, $3, 'partner', $4)",
            [(user, f"lease{n}@example.org", password_hash, actors.org) for n, user in enumerate(users)],
        )
        await notify(conn, users, Kind.REFERRAL_RECEIVED, "/partner/referrals/r1", "ref:r1:in")
    return users


async def drain(worker: MailWorker) -> None:
    while await worker.drain_once():
        pass
    await worker.transport.close()


def once_each(handler: Handler) -> Counter[tuple[str, str]]:
    return Counter((r.recipients[0], r.message["Message-ID"]) for r in handler.received)


async def test_two_replicas_with_several_connections_send_each_row_once(
    pool: asyncpg.Pool, actors: Actors, password_hash: str
) -> None:
    await queue(pool, actors, password_hash, 3 * BATCH)
    handler = Peers()
    server = SmtpServer(handler)
    server.start()
    try:
        workers = [MailWorker(pool, SmtpTransport("127.0.0.1", server.port), SETTINGS) for _ in range(2)]
        await asyncio.gather(*(drain(worker) for worker in workers))
    finally:
        server.stop()
    sent = once_each(handler)
    assert len(sent) == 3 * BATCH and set(sent.values()) == {1}, "every row sent, none twice"
    assert len(set(handler.peers)) > 2, "the replicas sent over several connections each"
    assert await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'sent' AND attempts = 1") == 3 * BATCH


async def test_a_dead_workers_lease_keeps_its_rows_until_it_runs_out(
    pool: asyncpg.Pool, actors: Actors, password_hash: str
) -> None:
    await queue(pool, actors, password_hash, 40)
    async with pool.acquire() as conn:
        leased = await conn.fetch(_LEASE, 30, LEASE)  # a worker leased these, then was killed
    handler = Handler()
    server = SmtpServer(handler)
    server.start()
    try:
        worker = MailWorker(pool, SmtpTransport("127.0.0.1", server.port), SETTINGS)
        assert await worker.drain_once() == 10  # only the rows nobody holds
        assert await worker.drain_once() == 0
        ids = [row["id"] for row in leased]
        ahead = await pool.fetchval("SELECT min(next_attempt_at - now()) FROM mail_outbox WHERE id = ANY($1)", ids)
        assert LEASE.total_seconds() - 5 < ahead.total_seconds() <= LEASE.total_seconds()
        # the lease runs out: the rows are due again, their attempts unspent, and another worker sends them
        await pool.execute("UPDATE mail_outbox SET next_attempt_at = now() - $1::interval WHERE status = 'queued'",
                           LEASE)  # fmt: skip
        assert await worker.drain_once() == 30
        await worker.transport.close()
    finally:
        server.stop()
    sent = once_each(handler)
    assert len(sent) == 40 and set(sent.values()) == {1}
    assert await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'sent' AND attempts = 1") == 40


async def test_only_one_message_is_past_the_relays_acceptance_without_its_sent(
    pool: asyncpg.Pool, actors: Actors, password_hash: str
) -> None:
    await queue(pool, actors, password_hash, BATCH)
    handler = Peers(hold_at=40, hold_s=1.5)
    server = SmtpServer(handler)
    server.start()
    try:
        worker = MailWorker(pool, SmtpTransport("127.0.0.1", server.port), SETTINGS)
        draining = asyncio.create_task(drain(worker))
        assert await asyncio.to_thread(handler.held.wait, 30)
        await asyncio.sleep(1.0)  # the other connections have had time to pass their envelopes
        # the relay has 40 messages; 39 are marked sent, and no other message got to the relay meanwhile
        assert len(handler.received) == 40
        assert await pool.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'sent'") == 39
        await draining
    finally:
        server.stop()
    assert len(set(handler.peers)) > 1
    assert len(once_each(handler)) == BATCH and len(handler.received) == BATCH


def outgoing(n: int) -> Outgoing:
    data = f"From: ketnoi@example.org\r\nTo: r{n}@example.org\r\nSubject: {n}\r\n\r\nbody\r\n".encode()
    return Outgoing(sender="ketnoi@example.org", recipients=(f"r{n}@example.org",), data=data)


async def test_once_a_sent_could_not_be_recorded_no_waiting_sender_hands_its_content_over() -> None:
    """The database went away while recording a "sent": the senders already past their envelope
    must not each add a message the relay has and the outbox does not know was sent."""
    handler = Handler()
    server = SmtpServer(handler)
    server.start()
    try:
        transport = SmtpTransport("127.0.0.1", server.port, connections=3)
        holding, failing = asyncio.Event(), asyncio.Event()

        async def lost() -> None:
            holding.set()  # the relay has message 1, whose "sent" is being recorded
            await failing.wait()
            raise asyncpg.InterfaceError("connection is closed")

        async def recorded() -> None:
            return None

        first = asyncio.create_task(transport.send(outgoing(1), lost))
        await asyncio.wait_for(holding.wait(), 5)  # started together, another sender could be first
        waiting = [asyncio.create_task(transport.send(outgoing(n), recorded)) for n in (2, 3)]
        await asyncio.sleep(0.5)  # both have passed their envelopes and wait for the first "sent"
        failing.set()
        with pytest.raises(asyncpg.InterfaceError):
            await first
        for task in waiting:
            with pytest.raises(TransportUnavailable):
                await task
        assert [r.recipients for r in handler.received] == [["r1@example.org"]]
        await transport.close()  # the worker's next round: sending goes on
        await transport.send(outgoing(4), recorded)
        assert len(handler.received) == 2
    finally:
        server.stop()


async def test_a_relay_going_away_under_several_connections_spends_one_attempt(
    pool: asyncpg.Pool, actors: Actors, password_hash: str
) -> None:
    await queue(pool, actors, password_hash, BATCH)
    handler = Handler(go_away_after=20)
    server = SmtpServer(handler)
    server.start()
    try:
        worker = MailWorker(pool, SmtpTransport("127.0.0.1", server.port), SETTINGS)
        handled = await worker.drain_once()
        accepted = len(handler.received)
        assert handled == accepted + 1 and worker.outages == 1  # what the relay accepted, and one attempt
        rows = await pool.fetch("SELECT status, attempts, next_attempt_at <= now() AS due FROM mail_outbox")
        assert Counter((r["status"], r["attempts"], r["due"]) for r in rows) == {
            ("sent", 1, False): accepted,
            ("queued", 1, False): 1,  # backed off
            ("queued", 0, True): BATCH - accepted - 1,  # handed back, due at once
        }
        handler.go_away_after = None
        await pool.execute("UPDATE mail_outbox SET next_attempt_at = now() WHERE status = 'queued'")
        await drain(worker)
    finally:
        server.stop()
    sent = once_each(handler)
    assert len(sent) == BATCH and set(sent.values()) == {1}
    assert worker.outages == 0


def test_the_relay_url_sets_how_many_connections_send_at_once() -> None:
    assert SmtpTransport.from_url("smtp://relay.example.org:587").connections == 4
    assert SmtpTransport.from_url("smtp://relay.example.org:587?starttls=require&connections=1").connections == 1
    for wrong in ("0", "many", "-2"):
        with pytest.raises(SystemExit, match="connections must be a whole number"):
            SmtpTransport.from_url(f"smtp://relay.example.org:587?connections={wrong}")
