"""Everything that feeds the search index: a listing flattened into its search document, written
in the caller's transaction (PostgreSQL's ``search_document``, whose trigger queues the change in
the outbox for an external engine), the outbox worker that sends queued changes to Meilisearch,
the choice of engine for a replica's lifetime, and the rebuild of the whole index (``ketnoi reindex``).

The outbox worker claims a batch of queued changes (replicas take disjoint batches with SKIP
LOCKED), sends them, and deletes them only once the engine has acknowledged; on failure it keeps
them and retries with capped exponential backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from search.documents import SearchDocument
from search.fallback import FallbackSearch
from search.meili import MeiliSearch
from search.meili_settings import merge_synonyms
from search.postgres import PostgresSearch
from search.postgres_bulk import copy_documents
from search.postgres_documents import document_row, write_documents
from search.postgres_query import Sampling
from search.protocol import SearchBackend
from service import places
from service.config import Settings
from service.db import Connection
from service.directory import repo, rules, taxonomy
from service.directory.models import ContactKind, Service
from service.progress import Progress

log = logging.getLogger("ketnoi.search.sync")  # the outbox worker
engine_log = logging.getLogger("ketnoi.search")  # the engine at start-up

BATCH = 500  # queued changes sent to the engine at once
REINDEX_BATCH = 1000  # listings read at once when documents are redone in bulk
FIRST_RETRY = timedelta(seconds=1)
MAX_RETRY = timedelta(minutes=5)
IDLE_PAUSE_S = 1.0


def search_document(service: Service) -> SearchDocument:
    """Flatten a listing for search. The words indexed are those of the public view (one index
    answers everyone): a confidential location adds only its province's names, and its province's
    reference point to public distance; its own coordinates serve only staff distance."""
    areas = list(service.service_areas)
    for location in service.locations:
        if location.province_code not in areas:
            areas.append(location.province_code)
    place_names: list[str] = []
    for code in areas:
        place_names += places.names_for_search(code)
    public = rules.redact(service, may_see_restricted=False)
    place_names += [loc.commune for loc in public.locations if loc.commune]
    public_points: list[tuple[float, float]] = []
    staff_points: list[tuple[float, float]] = []
    for location in service.locations:
        exact = (location.lat, location.lon) if location.lat is not None and location.lon is not None else None
        province = places.by_code(location.province_code)
        staff_points.append(exact or (province.lat, province.lon))
        public_points.append((province.lat, province.lon) if location.confidential or exact is None else exact)
    hotlines = [c.value for c in service.contacts if c.kind is ContactKind.HOTLINE]
    return SearchDocument(
        service_id=service.id,
        organization_id=service.organization_id,
        visibility=service.visibility.value,
        status=service.status.value,
        name=service.name,
        alternate_name=service.alternate_name or "",
        organization_name=service.organization.name,
        description=service.description,
        eligibility=service.eligibility_description,
        categories=list(service.categories),
        category_labels=[label for code in service.categories for label in taxonomy.labels(code)],
        populations=list(service.populations),
        population_labels=[label for code in service.populations for label in taxonomy.population_labels(code)],
        provinces=areas,
        place_names=place_names,
        languages=list(service.languages),
        fee=service.fee.value,
        hotlines=hotlines,
        hotline_labels=taxonomy.labels("hotline") if hotlines else [],
        accepting_referrals=service.accepting_referrals,
        capacity_available=service.capacity_available,
        always_open=rules.always_open(service.contacts),
        open_week=rules.open_week(service.schedules),
        public_points=public_points,
        staff_points=staff_points,
        last_verified_at=service.last_verified_at,
        confirmed_at=service.confirmed_at,
        updated_at=service.updated_at,
    )


async def index_listings(conn: Connection, services: Sequence[Service]) -> None:
    """The listings' documents, upserted inside the caller's transaction: search never lags a write."""
    await write_documents(conn, [search_document(service) for service in services])


def index_row(service: Service) -> tuple[object, ...]:
    """A listing's document as the bulk writer takes it (importers make these in a worker thread)."""
    return document_row(search_document(service))


async def copy_index_rows(conn: Connection, rows: Sequence[tuple[object, ...]]) -> None:
    """Insert or replace many documents made by ``index_row`` at once, inside the caller's transaction."""
    await copy_documents(conn, rows)


async def reindex_organizations(conn: Connection, organization_ids: Sequence[uuid.UUID]) -> None:
    """Every listing of these organizations gets its document redone: a rename changes them all."""
    for organization_id in organization_ids:
        ids = await repo.service_ids_of_organization(conn, organization_id)
        for start in range(0, len(ids), REINDEX_BATCH):
            services = await repo.get_services(conn, ids[start : start + REINDEX_BATCH])
            await copy_documents(conn, [index_row(service) for service in services])


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


async def run_outbox_worker(pool: asyncpg.Pool, backend: SearchBackend, stop: asyncio.Event) -> None:
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


def meili_engine(settings: Settings) -> MeiliSearch:
    assert settings.meili_url is not None
    return MeiliSearch(
        settings.meili_url,
        settings.meili_key,
        index_uid=settings.meili_index,
        synonyms=merge_synonyms(places.synonym_groups()),
    )


@asynccontextmanager
async def search_engine(settings: Settings, pool: asyncpg.Pool) -> AsyncIterator[SearchBackend]:
    """The backend for this replica's lifetime, with its sync worker running when external."""
    postgres = PostgresSearch(pool, Sampling.of(settings.search_sample))
    if not settings.meili_url:
        postgres.read_vocabulary_soon()  # the words slips are corrected to, before the first search
        try:
            yield postgres
        finally:
            await postgres.stop_reading()
        return
    engine = meili_engine(settings)
    try:
        await engine.setup()
    except Exception as exc:  # the engine may be down at start-up: the outbox keeps changes meanwhile
        engine_log.warning("Meilisearch is not answering at start-up (%r); searching PostgreSQL until it does", exc)
    async with pool.acquire() as conn:
        await set_enabled(conn, True)
    stop = asyncio.Event()
    worker = asyncio.create_task(run_outbox_worker(pool, engine, stop), name="search-sync")
    try:
        yield FallbackSearch(engine, postgres)
    finally:
        stop.set()
        await worker
        await engine.aclose()


async def _document_batches(pool: asyncpg.Pool, advance: Callable[[int], None]) -> AsyncIterator[list[SearchDocument]]:
    """Every listing's search document, a batch at a time, in id order."""
    after = None
    while True:
        async with pool.acquire() as conn:
            ids = await repo.service_ids_after(conn, after, REINDEX_BATCH)
            if not ids:
                return
            services = await repo.get_services(conn, ids)
        after = ids[-1]
        advance(len(ids))
        yield [search_document(service) for service in services]


async def rebuild(settings: Settings, pool: asyncpg.Pool, progress: Progress) -> int:
    """Every listing's document written again, into the engine ``settings`` name; how many listings."""
    async with pool.acquire() as conn:
        total = int(await conn.fetchval("SELECT count(*) FROM service"))
    progress.stage("Rebuilding the search index", total)
    batches = _document_batches(pool, progress.advance)
    if settings.meili_url:
        engine = meili_engine(settings)
        try:
            await engine.rebuild(batches)  # built aside, then swapped in: search never empty
        finally:
            await engine.aclose()
    else:
        async for batch in batches:
            async with pool.acquire() as conn, conn.transaction():
                await write_documents(conn, batch)
        # every row was rewritten: reclaim the old versions now, so the covering index
        # answers without visiting rows instead of waiting for autovacuum
        async with pool.acquire() as conn:
            await conn.execute("VACUUM (ANALYZE) search_document")
    return total
