"""Feeding an external search engine from the outbox: claim a batch of queued changes (replicas
take disjoint batches with SKIP LOCKED), send them, and delete them only once the engine has
acknowledged; on failure keep them and retry with capped exponential backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from search.protocol import SearchBackend
from service.db import Connection
from service.directory import repo
from service.directory.documents import search_document

log = logging.getLogger("ketnoi.search.sync")

BATCH = 500
FIRST_RETRY = timedelta(seconds=1)
MAX_RETRY = timedelta(minutes=5)
IDLE_PAUSE_S = 1.0


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s … after each failed attempt, never more than five minutes."""
    delay: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, MAX_RETRY)


async def set_enabled(conn: Connection, enabled: bool) -> None:
    """Queue changes from now on (an external engine is configured) or stop queueing."""
    await conn.execute("UPDATE search_sync SET enabled = $1", enabled)


@dataclass(frozen=True)
class Batch:
    row_ids: list[int]
    upserts: list[uuid.UUID]
    deletes: list[uuid.UUID]
    attempts: int


async def _claim(conn: Connection, limit: int) -> Batch | None:
    rows = await conn.fetch(
        "SELECT id, service_id, operation, attempts FROM search_outbox WHERE next_attempt_at <= now()"
        " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    if not rows:
        return None
    # the last queued operation per listing wins: an upsert after a delete re-creates it
    latest: dict[uuid.UUID, str] = {}
    for row in rows:
        latest[row["service_id"]] = row["operation"]
    return Batch(
        row_ids=[row["id"] for row in rows],
        upserts=[sid for sid, op in latest.items() if op == "upsert"],
        deletes=[sid for sid, op in latest.items() if op == "delete"],
        attempts=max(row["attempts"] for row in rows),
    )


async def drain_once(pool: asyncpg.Pool, backend: SearchBackend, limit: int = BATCH) -> int:
    """Send one batch; returns how many queued rows were acknowledged (0: nothing due or failed)."""
    async with pool.acquire() as conn, conn.transaction():
        batch = await _claim(conn, limit)
        if batch is None:
            return 0
        try:
            services = await repo.get_services(conn, batch.upserts)
            if services:
                await backend.index([search_document(service) for service in services])
            gone = batch.deletes + [sid for sid in batch.upserts if sid not in {s.id for s in services}]
            if gone:
                await backend.delete(gone)
        except Exception as exc:  # the engine's failure, whatever its kind: keep the rows and retry later
            log.warning("search sync failed (%d rows, attempt %d): %r", len(batch.row_ids), batch.attempts + 1, exc)
            await conn.execute(
                "UPDATE search_outbox SET attempts = attempts + 1, next_attempt_at = now() + $2::interval,"
                " last_error = left($3, 500) WHERE id = ANY($1::bigint[])",
                batch.row_ids,
                backoff(batch.attempts + 1),
                repr(exc),
            )
            return 0
        await conn.execute("DELETE FROM search_outbox WHERE id = ANY($1::bigint[])", batch.row_ids)
        return len(batch.row_ids)


async def backlog(conn: Connection) -> tuple[int, float | None]:
    """Queued changes and the age in seconds of the oldest: /readyz reports them."""
    row = await conn.fetchrow(
        "SELECT count(*) AS n, extract(epoch FROM now() - min(enqueued_at)) AS age FROM search_outbox"
    )
    assert row is not None
    return int(row["n"]), float(row["age"]) if row["age"] is not None else None


async def run(pool: asyncpg.Pool, backend: SearchBackend, stop: asyncio.Event) -> None:
    """The worker each replica runs while an external engine is configured."""
    while not stop.is_set():
        try:
            sent = await drain_once(pool, backend)
        # The database itself is away (a cut connection surfaces as InterfaceError): wait and retry.
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("search sync cannot reach the database: %r", exc)
            sent = 0
        if not sent:
            with contextlib.suppress(TimeoutError):  # a quiet second: look again
                await asyncio.wait_for(stop.wait(), IDLE_PAUSE_S)
