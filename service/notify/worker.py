"""The mail worker each replica runs (the same shape as the search outbox worker,
service/directory/search_index.py): it claims up to a hundred due outbox rows with
``FOR UPDATE SKIP LOCKED`` (replicas take disjoint batches), sends each, and in the transaction
that claimed them marks each sent once the server has accepted it, or backs it off:
min(2**attempts, 3600) seconds, dead after ``KETNOI_MAIL_MAX_ATTEMPTS`` with the last error kept.

A SIGKILL before the commit leaves the batch queued: it is sent again with the same Message-ID
(at least once, recognisably the same message); a SIGKILL never loses a row. When the transport
is unavailable (server away, log-in refused) the rest of the batch is left untouched and the
worker pauses, so an outage does not spend every queued message's attempts."""

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

_CLAIM = """
SELECT o.id, o.user_id, o.kind, o.link, o.dedupe_key, o.created_at, o.attempts, o.digest,
       u.email, u.display_name, u.locale, u.active
FROM mail_outbox o JOIN app_user u ON u.id = o.user_id
WHERE o.status = 'queued' AND o.next_attempt_at <= now()
ORDER BY o.next_attempt_at, o.id
LIMIT $1
FOR UPDATE OF o SKIP LOCKED
"""

_SENT = """
UPDATE mail_outbox o SET status = 'sent', sent_at = now(), attempts = o.attempts + 1, last_error = NULL,
    message_id = s.message_id, link = CASE WHEN o.kind = ANY($3::text[]) THEN '' ELSE o.link END
FROM unnest($1::bigint[], $2::text[]) AS s(id, message_id)
WHERE o.id = s.id
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
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(_CLAIM, limit)
            sent_ids: list[int] = []
            sent_message_ids: list[str | None] = []
            handled = 0
            for row in rows:
                ident = message_id(self.settings, row["id"], row["created_at"])
                try:
                    delivered = await self._send(conn, row, ident)
                except TransportUnavailable as exc:
                    log.warning(
                        "mail transport unavailable (row %d, attempt %d): %s", row["id"], row["attempts"] + 1, exc
                    )
                    await self._failed(conn, row, str(exc))
                    self.outages += 1
                    handled += 1
                    break  # the rest stay queued, their attempts unspent
                except Exception as exc:  # this one message failed (refused, a template error): go on
                    log.warning("mail row %d failed (attempt %d): %r", row["id"], row["attempts"] + 1, exc)
                    await self._failed(conn, row, repr(exc))
                    handled += 1
                else:
                    sent_ids.append(row["id"])
                    sent_message_ids.append(ident if delivered else None)
                    handled += 1
                    self.outages = 0
            if sent_ids:
                await conn.execute(_SENT, sent_ids, sent_message_ids, SECRET_LINK_KINDS)
            return handled

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
