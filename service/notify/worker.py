"""The mail worker each replica runs (the same shape as the search outbox worker,
service/directory/search_index.py). A batch is up to a hundred due outbox rows sent over one
connection to the relay; each row is claimed, sent and settled in a transaction of its own:
``FOR UPDATE SKIP LOCKED`` on one row (replicas take disjoint rows, and a row stays locked for as
long as its sender lives), then marked sent once the server has accepted it and committed at once,
or backed off: min(2**attempts, 3600) seconds, dead after ``KETNOI_MAIL_MAX_ATTEMPTS`` with the last
error kept.

A SIGKILL loses nothing: the killed process's open transaction rolls back and its row is queued
again. It can send one message twice at most — the one in flight, if the relay accepted it just
before the kill and the "sent" never committed. SMTP has no two-phase commit, so that window cannot
close; it is one message wide, and the resend has the same Message-ID, so a receiving system can
recognise and drop it. When the transport is unavailable (server away, log-in refused) the rest of
the batch is left untouched and the worker pauses, so an outage does not spend every queued
message's attempts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta

import asyncpg

from service.config import Settings
from service.db import Connection
from service.notify import digest
from service.notify.kinds import Kind
from service.notify.messages import Recipient, compose, message_id
from service.notify.transport import MailTransport, TransportUnavailable, transport_for

log = logging.getLogger("ketnoi.mail")

BATCH = 100
MAX_BACKOFF = timedelta(hours=1)
MAX_OUTAGE_PAUSE_S = 60.0
# Kinds whose link carries a one-time token: it is not kept once the mail is out.
SECRET_LINK_KINDS = [Kind.INVITATION.value, Kind.PASSWORD_RESET.value, Kind.LISTING_CHECK_IN.value]

# The row is chosen from mail_outbox alone, in the order of the partial index on next_attempt_at, so
# a claim reads one index entry, not the whole backlog (ties — a burst queued in one transaction
# shares its now() — are taken in any order).
_CLAIM = """
WITH claimed AS (
    SELECT id, user_id, kind, link, dedupe_key, created_at, attempts, digest FROM mail_outbox
    WHERE status = 'queued' AND next_attempt_at <= now()
    ORDER BY next_attempt_at
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
SELECT c.*, u.email, u.display_name, u.locale, u.active FROM claimed c JOIN app_user u ON u.id = c.user_id
"""

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


class MailWorker:
    def __init__(self, pool: asyncpg.Pool, transport: MailTransport, settings: Settings) -> None:
        self.pool = pool
        self.transport = transport
        self.settings = settings
        self.outages = 0  # consecutive batches cut short by an unavailable transport

    async def drain_once(self, limit: int = BATCH) -> int:
        """Send one batch; return how many rows were handled (sent or backed off; 0: nothing due)."""
        handled = 0
        async with self.pool.acquire() as conn:
            while handled < limit:
                async with conn.transaction():
                    row = await conn.fetchrow(_CLAIM)
                    if row is None:
                        break
                    handled += 1
                    if not await self._deliver(conn, row):
                        break  # the transport is away: the rest stay queued, their attempts unspent
        return handled

    async def _deliver(self, conn: Connection, row: asyncpg.Record) -> bool:
        """Send one claimed row and settle it in its transaction; False when the transport is away."""
        ident = message_id(self.settings, row["id"], row["created_at"])
        try:
            delivered = await self._send(conn, row, ident)
        except TransportUnavailable as exc:
            log.warning("mail transport unavailable (row %d, attempt %d): %s", row["id"], row["attempts"] + 1, exc)
            await self._failed(conn, row, str(exc))
            self.outages += 1
            return False
        except Exception as exc:  # this one message failed (refused, a template error): go on
            log.warning("mail row %d failed (attempt %d): %r", row["id"], row["attempts"] + 1, exc)
            await self._failed(conn, row, repr(exc))
            return True
        await conn.execute(_SENT, row["id"], ident if delivered else None, SECRET_LINK_KINDS)
        self.outages = 0
        return True

    async def _send(self, conn: Connection, row: asyncpg.Record, ident: str) -> bool:
        """Send the row's mail; False when there was nothing to send."""
        if not row["active"]:
            raise LookupError("the account is no longer active")
        kind = Kind(row["kind"])
        items: list[tuple[Kind, str]] = []
        if row["digest"]:
            day = date.fromisoformat(row["dedupe_key"].removeprefix("digest:"))
            found = await digest.digest_notifications(conn, row["user_id"], day)
            items = [(Kind(item["kind"]), item["link"]) for item in found]
            if not items:
                return False  # everything was read before the digest went out: nothing to tell
        recipient = Recipient(email=row["email"], name=row["display_name"], locale=row["locale"])
        message = compose(
            self.settings,
            kind=kind,
            link=row["link"],
            recipient=recipient,
            message_id=ident,
            items=items,
            now=datetime.now(UTC),
        )
        await self.transport.send(message)
        return True

    async def _failed(self, conn: Connection, row: asyncpg.Record, error: str) -> None:
        attempts = row["attempts"] + 1
        await conn.execute(_FAILED, row["id"], error, self.settings.mail_max_attempts, backoff(attempts))
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
