"""The mail worker each replica runs (the same shape as the search outbox worker,
service/directory/search_index.py).

A batch is up to a hundred due outbox rows taken in one committed statement as a lease: ``FOR UPDATE
SKIP LOCKED`` picks rows no other replica is taking, and their ``next_attempt_at`` moves ``LEASE``
ahead, so no replica takes them again while this one sends them. Up to the transport's
``connections`` messages are then on their way at once; each row is marked sent (committed on its
own) as soon as the relay has accepted it, or backed off: min(2**attempts, 3600) seconds, dead after
``KETNOI_MAIL_MAX_ATTEMPTS`` with the last error kept. No message starts later than
``SENDING_WINDOW`` after the lease, each one is bounded in time by the transport, and whatever the
batch did not send goes back to the queue at once, so a lease never runs out under a live worker.

A SIGKILL loses nothing: the killed worker's unsent rows are due again when their lease runs out
(``LEASE``, half a minute), and any replica then sends them. It can send one message twice at most
— the one in flight, if the relay accepted it just before the kill and its "sent" never committed:
the transport lets only one message at a time be between the relay's acceptance and its committed
"sent" (service/notify/transport.py). SMTP has no two-phase commit, so that window cannot close; it
is one message wide, and the resend has the same Message-ID, so a receiving system can recognise and
drop it. When the transport is unavailable (server away, log-in refused, no answer in time) the one
message that found out is backed off, the rest of the batch goes back to the queue with its attempts
unspent, and the worker pauses, so an outage does not spend every queued message's attempts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import asyncpg

from service.config import Settings
from service.db import Connection
from service.notify import digest
from service.notify.kinds import Kind
from service.notify.messages import Recipient, compose, message_id
from service.notify.transport import TIMEOUT_S, MailTransport, TransportUnavailable, transport_for

log = logging.getLogger("ketnoi.mail")

BATCH = 100
SENDING_WINDOW_S = 5.0
# a message takes at most two transport timeouts (envelope, content) and its "sent": a lease outlives
# the window and the last message started in it, with five seconds to spare (30 s)
LEASE = timedelta(seconds=SENDING_WINDOW_S + 2 * TIMEOUT_S + 5)
PER_CONNECTION = 32  # one connection per this many rows: a handful of mails is not worth a log-in each
MAX_BACKOFF = timedelta(hours=1)
MAX_OUTAGE_PAUSE_S = 60.0
# Kinds whose link carries a one-time token: it is not kept once the mail is out.
SECRET_LINK_KINDS = [Kind.INVITATION.value, Kind.PASSWORD_RESET.value, Kind.LISTING_CHECK_IN.value]

# The rows are chosen from mail_outbox alone, in the order of the partial index on next_attempt_at, so
# a lease reads a hundred index entries, not the whole backlog (ties — a burst queued in one
# transaction shares its now() — are taken in any order).
_LEASE = """
WITH due AS (
    SELECT id FROM mail_outbox
    WHERE status = 'queued' AND next_attempt_at <= now()
    ORDER BY next_attempt_at
    LIMIT $1
    FOR UPDATE SKIP LOCKED
), leased AS (
    UPDATE mail_outbox o SET next_attempt_at = now() + $2::interval FROM due WHERE o.id = due.id
    RETURNING o.id, o.user_id, o.kind, o.link, o.dedupe_key, o.created_at, o.attempts, o.digest
)
SELECT l.*, u.email, u.display_name, u.locale, u.active FROM leased l JOIN app_user u ON u.id = l.user_id
ORDER BY l.id
"""

_RELEASE = "UPDATE mail_outbox SET next_attempt_at = now() WHERE id = ANY($1::bigint[]) AND status = 'queued'"

_SENT = """
UPDATE mail_outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL,
    message_id = $2, link = CASE WHEN kind = ANY($3::text[]) THEN '' ELSE link END
WHERE id = $1
"""

_FAILED = """
UPDATE mail_outbox SET attempts = attempts + 1, last_error = left($2, 500),
    status = CASE WHEN attempts + 1 >= $3 THEN 'dead' ELSE 'queued' END,
    next_attempt_at = now() + $4::interval
WHERE id = $1
"""


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … after the n-th failed attempt, never more than an hour."""
    return min(timedelta(seconds=2 ** min(attempts, 12)), MAX_BACKOFF)


@dataclass
class _Batch:
    """One lease's rows, handed to the senders in turn, and which of them are settled (sent or backed off)."""

    conn: Connection
    rows: list[asyncpg.Record]
    last_start: float  # loop time after which no message starts
    statement: asyncio.Lock = field(default_factory=asyncio.Lock)  # the senders share one connection
    taken: int = 0
    settled: set[int] = field(default_factory=set)
    outage: bool = False  # the transport is away: nothing more starts
    broken: bool = False  # a sender met an error that is not one message's (the database)

    def take(self) -> asyncpg.Record | None:
        done = self.outage or self.broken or self.taken >= len(self.rows)
        if done or asyncio.get_running_loop().time() > self.last_start:
            return None
        self.taken += 1
        return self.rows[self.taken - 1]

    async def settle(self, row_id: int, sql: str, *args: object) -> None:
        async with self.statement:
            await self.conn.execute(sql, row_id, *args)  # autocommit: durable before the next message
        self.settled.add(row_id)


class MailWorker:
    def __init__(self, pool: asyncpg.Pool, transport: MailTransport, settings: Settings) -> None:
        self.pool = pool
        self.transport = transport
        self.settings = settings
        self.outages = 0  # consecutive batches cut short by an unavailable transport

    async def drain_once(self, limit: int = BATCH) -> int:
        """Send one batch; return how many rows were handled (sent or backed off; 0: nothing due)."""
        last_start = asyncio.get_running_loop().time() + SENDING_WINDOW_S  # taken before the lease begins
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(_LEASE, limit, LEASE)
            if not rows:
                return 0
            batch = _Batch(conn, rows, last_start)
            senders = min(self.transport.connections, -(-len(rows) // PER_CONNECTION))
            # every sender is done before the connection goes back to the pool
            results = await asyncio.gather(*(self._sender(batch) for _ in range(senders)), return_exceptions=True)
            if unsent := [row["id"] for row in rows if row["id"] not in batch.settled]:
                await conn.execute(_RELEASE, unsent)  # due again at once, attempts unspent
        if batch.outage:
            self.outages += 1
        elif batch.settled:
            self.outages = 0
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return len(batch.settled)

    async def _sender(self, batch: _Batch) -> None:
        try:
            while (row := batch.take()) is not None:
                await self._deliver(batch, row)
        except BaseException:
            batch.broken = True
            raise

    async def _deliver(self, batch: _Batch, row: asyncpg.Record) -> None:
        """Send one leased row and settle it; an unavailable transport stops the batch."""
        ident = message_id(self.settings, row["id"], row["created_at"])
        try:
            await self._send(batch, row, ident)
        except TransportUnavailable as exc:
            if batch.outage:
                return  # another message found out first: this one goes back with its attempts unspent
            batch.outage = True
            log.warning("mail transport unavailable (row %d, attempt %d): %s", row["id"], row["attempts"] + 1, exc)
            await self._failed(batch, row, str(exc))
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            raise  # the database, not this message: the row goes back as it was (released, or at lease end)
        except Exception as exc:  # this one message failed (refused, a template error): go on
            log.warning("mail row %d failed (attempt %d): %r", row["id"], row["attempts"] + 1, exc)
            await self._failed(batch, row, repr(exc))

    async def _send(self, batch: _Batch, row: asyncpg.Record, ident: str) -> None:
        """Send the row's mail and mark it sent (sent with nothing to say: an emptied digest)."""
        if not row["active"]:
            raise LookupError("the account is no longer active")
        kind = Kind(row["kind"])
        items: list[tuple[Kind, str]] = []
        if row["digest"]:
            day = date.fromisoformat(row["dedupe_key"].removeprefix("digest:"))
            async with batch.statement:
                found = await digest.digest_notifications(batch.conn, row["user_id"], day)
            items = [(Kind(item["kind"]), item["link"]) for item in found]
            if not items:  # everything was read before the digest went out: nothing to tell
                await batch.settle(row["id"], _SENT, None, SECRET_LINK_KINDS)
                return
        recipient = Recipient(email=row["email"], name=row["display_name"], locale=row["locale"])
        mail = compose(
            self.settings,
            kind=kind,
            link=row["link"],
            recipient=recipient,
            message_id=ident,
            items=items,
            now=datetime.now(UTC),
        )
        await self.transport.send(mail, lambda: batch.settle(row["id"], _SENT, ident, SECRET_LINK_KINDS))

    async def _failed(self, batch: _Batch, row: asyncpg.Record, error: str) -> None:
        attempts = row["attempts"] + 1
        await batch.settle(row["id"], _FAILED, error, self.settings.mail_max_attempts, backoff(attempts))
        if attempts >= self.settings.mail_max_attempts:
            log.error("mail row %d is dead after %d attempts: %s", row["id"], attempts, error)

    def pause_s(self) -> float:
        """How long to wait before the next batch: a second when idle, longer while the transport is away."""
        if not self.outages:
            return self.settings.mail_interval
        return float(min(2 ** (self.outages - 1), MAX_OUTAGE_PAUSE_S))

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                handled = await self.drain_once()
            # The database itself is away (a cut connection surfaces as InterfaceError): wait and retry.
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("the mail worker cannot reach the database: %r", exc)
                handled = 0
            if handled and not self.outages:
                continue
            await self.transport.close()  # no connection held open while idle
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.pause_s())


@asynccontextmanager
async def mail_worker(settings: Settings, pool: asyncpg.Pool) -> AsyncIterator[MailTransport]:
    """This replica's mail worker, running for the app's lifetime (unless ``mail_interval`` is 0)."""
    transport = transport_for(settings)
    if not settings.mail_interval:
        yield transport
        return
    worker = MailWorker(pool, transport, settings)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="mail-worker")
    try:
        yield transport
    finally:
        stop.set()
        await task
        await transport.close()
