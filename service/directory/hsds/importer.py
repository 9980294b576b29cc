"""``ketnoi import-hsds``: the directory in from an HSDS 3.0 data package.

The import stages the package, then checks a chunk of records at a time (in a worker thread, while
the chunk before is written) and writes the accepted ones with COPY, all in one transaction: a
bad record is reported with its reasons and left out whole (never half a listing), and anything
that fails while writing rolls the whole import back.
"""

from __future__ import annotations

import asyncio
import gc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from service.db import Connection, transact
from service.directory import repo, rules, search_index
from service.directory.hsds import import_sql, kept, staging
from service.directory.hsds.package import Rejection
from service.directory.hsds.parse import (
    ImportedOrganization,
    ImportedService,
    RecordError,
    organization_from_hsds,
    service_from_hsds,
)
from service.directory.listings import tracked_view
from service.directory.models import Contact, Service
from service.progress import Progress


class ImportReport(msgspec.Struct, frozen=True):
    organizations_created: int
    organizations_updated: int
    services_created: int
    services_updated: int
    services_unchanged: int
    rejected: list[Rejection]
    dry_run: bool
    warnings: list[Rejection] = []  # values and rows left out that kept no record out


class _OrganizationsWritten(msgspec.Struct, frozen=True):
    created: int
    updated: int
    names: dict[uuid.UUID, str]  # of the imported ones: what their listings are indexed under
    renamed: list[uuid.UUID]  # whose listings outside the package need their documents redone


class _DryRun(Exception):
    def __init__(self, report: ImportReport) -> None:
        self.report = report


def _parsed(fetched: staging.Fetched, parse: Any, rejected: list[Rejection], warned: list[Rejection]) -> list[Any]:
    """The records of one chunk that can be imported; the others in ``rejected`` with every
    reason, and the values left out of any record in ``warned``."""
    accepted = []
    for record, notes in fetched.records():
        what = f"{record.get('name') or '?'} ({record.get('id')})"
        try:
            item = parse(record, fetched.files)
        except RecordError as exc:
            rejected.append(Rejection(what, [*notes.problems, *exc.reasons]))
            continue
        left_out = [*notes.warnings, *item.warnings]
        if left_out:
            warned.append(Rejection(what, left_out))
        if notes.problems:
            rejected.append(Rejection(what, notes.problems))
        else:
            accepted.append(item)
    return accepted


async def import_package(pool: asyncpg.Pool, folder: Path, *, dry_run: bool, progress: Progress) -> ImportReport:
    try:
        with _collector_paused():
            return await transact(pool, _import, folder, dry_run, progress)
    except _DryRun as rollback:
        return rollback.report


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the import. Nesting and checking creates millions of small
    dictionaries, none of them in a cycle, and each collection walked the live ones: a quarter of
    the import's CPU, for nothing to collect (measured in bench/README.md). The import holds a chunk
    at a time, so memory stays bounded; the collector runs again as soon as the import ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def _import(conn: Connection, folder: Path, dry_run: bool, progress: Progress) -> ImportReport:
    """The whole import in the caller's transaction: stage, check, write a chunk at a time."""
    progress.stage("Reading the data package", 1)
    staged = await staging.stage(conn, folder)
    rejected = await staging.rejections(conn, staged)
    warned = await staging.warnings(conn, staged)
    progress.advance(1)
    organizations: list[ImportedOrganization] = []
    async for fetched in staging.chunks(conn, staged, "organization"):
        organizations += _parsed(fetched, organization_from_hsds, rejected, warned)
    written = await _write_organizations(conn, organizations, warned)
    await import_sql.analyze(conn, import_sql.ORGANIZATION_TABLES)
    progress.stage("Importing listings", await staging.count(conn, staged, "service"))
    known = _Known(names=dict(written.names), programs=await kept.program_ids(conn))
    created, updated, unchanged = await _import_services(conn, staged, known, (rejected, warned), progress)
    await search_index.reindex_organizations(conn, written.renamed)  # its name is in each of its listings
    report = ImportReport(
        organizations_created=written.created,
        organizations_updated=written.updated,
        services_created=created,
        services_updated=updated,
        services_unchanged=unchanged,
        rejected=rejected,
        dry_run=dry_run,
        warnings=warned,
    )
    if dry_run:
        raise _DryRun(report)
    return report


def _without_unknown_parents(
    organizations: list[ImportedOrganization], known: set[uuid.UUID], warned: list[Rejection]
) -> list[ImportedOrganization]:
    """The organizations, each parent that is neither here nor already in the directory (or that
    makes a cycle) left out with a warning: the organization itself is imported."""
    parents = {o.id: o.data.parent_id for o in organizations}
    accepted = []
    for organization in organizations:
        seen, current, problem = {organization.id}, organization.data.parent_id, None
        while current is not None and problem is None:
            if current in seen:
                problem = "its parent organizations form a cycle"
            elif current not in parents and current not in known:
                problem = f"parent_organization_id {current} is neither in this package nor in the directory"
            seen.add(current)
            current = parents.get(current)
        if problem:
            warned.append(Rejection(f"{organization.data.name} ({organization.id})", [f"{problem}; left out"]))
            parents[organization.id] = None
            organization = msgspec.structs.replace(
                organization, data=msgspec.structs.replace(organization.data, parent_id=None)
            )
        accepted.append(organization)
    return accepted


def _listing(item: ImportedService, organization_name: str, now: datetime) -> Service:
    view = msgspec.to_builtins(item.fields)
    for location, location_id in zip(view["locations"], item.location_ids, strict=True):
        location["id"] = str(location_id)
    view |= {
        "id": str(item.id),
        "organization": {"id": str(item.data.organization_id), "name": organization_name},
        "last_verified_at": item.last_verified_at,
        "verified_by": None,
        "version": 1,
        "created_at": now,
        "updated_at": item.last_modified or now,
    }
    return msgspec.convert(view, Service, strict=False)


async def _write_organizations(
    conn: Connection, organizations: list[ImportedOrganization], warned: list[Rejection]
) -> _OrganizationsWritten:
    """Write the accepted organizations (their parents checked first) and what is kept of them."""
    referenced = [o.data.parent_id for o in organizations if o.data.parent_id]
    known = await import_sql.existing_ids(conn, "organization", [*referenced, *(o.id for o in organizations)])
    organizations = _without_unknown_parents(organizations, known, warned)
    current = await repo.organization_names(conn, [o.id for o in organizations])
    renamed = [o.id for o in organizations if o.id in current and current[o.id] != o.data.name]
    if organizations:
        await import_sql.upsert_organizations(conn, [_organization_row(o) for o in organizations])
        await kept.replace(conn, "organization", {o.id: o.kept for o in organizations})
    imported = {o.id for o in organizations}
    return _OrganizationsWritten(
        created=len(imported - known),
        updated=len(imported & known),
        names={o.id: o.data.name for o in organizations},
        renamed=renamed,
    )


class _Known(msgspec.Struct):
    """What a listing may point to: organizations (id → name) and programs kept (their ids)."""

    names: dict[uuid.UUID, str]
    programs: set[str]


class _Chunk(msgspec.Struct):
    """One chunk of listings checked and mapped, ready to write."""

    read: int  # records read, for the progress bar
    rejected: list[Rejection]
    warned: list[Rejection]
    listings: list[Service]
    documents: dict[uuid.UUID, tuple[object, ...]]  # each listing's search document row
    kept: dict[uuid.UUID, list[kept.Kept]]  # what HSDS has of each listing and our columns do not


async def _import_services(
    conn: Connection,
    staged: staging.Staged,
    known: _Known,
    reports: tuple[list[Rejection], list[Rejection]],
    progress: Progress,
) -> tuple[int, int, int]:
    """Listings a chunk at a time: while one chunk is written, the next one is checked and mapped
    in a thread (pure Python), so PostgreSQL and Python work at once. How many were created,
    updated and left unchanged."""
    counts = (0, 0, 0)
    analyzed = False
    ready: _Chunk | None = None
    names = known.names
    async for fetched in staging.chunks(conn, staged, "service"):
        names |= await repo.organization_names(conn, _unknown_organizations(fetched, names))
        known = _Known(names=dict(names), programs=known.programs)
        next_chunk, done = await asyncio.gather(
            asyncio.to_thread(_prepare, fetched, known, datetime.now(UTC)), _write_services(conn, ready)
        )
        counts = _added(counts, done)
        if ready is not None:
            progress.advance(ready.read)
        if not analyzed and counts[0] + counts[1]:
            await import_sql.analyze(conn, import_sql.SERVICE_TABLES)
            analyzed = True
        reports[0].extend(next_chunk.rejected)
        reports[1].extend(next_chunk.warned)
        ready = next_chunk
    if ready is not None:
        counts = _added(counts, await _write_services(conn, ready))
        progress.advance(ready.read)
    return counts


def _added(counts: tuple[int, int, int], more: tuple[int, int, int]) -> tuple[int, int, int]:
    return counts[0] + more[0], counts[1] + more[1], counts[2] + more[2]


def _unknown_organizations(fetched: staging.Fetched, names: dict[uuid.UUID, str]) -> list[uuid.UUID]:
    """The organizations a chunk's listings name that are not yet known (ids that do not parse are
    left to the listing's own checks)."""
    found = set()
    for head in fetched.heads:
        try:
            found.add(uuid.UUID(str(head["organization_id"])))
        except (KeyError, ValueError):
            continue
    return list(found - names.keys())


def _prepare(fetched: staging.Fetched, known: _Known, now: datetime) -> _Chunk:
    """Check and map one chunk of listings: no I/O, so it runs off the event loop."""
    rejected: list[Rejection] = []
    warned: list[Rejection] = []
    listings = []
    kept_of: dict[uuid.UUID, list[kept.Kept]] = {}
    for service in _parsed(fetched, service_from_hsds, rejected, warned):
        organization_name = known.names.get(service.data.organization_id)
        if organization_name is None:
            reason = f"organization_id {service.data.organization_id} is neither accepted here nor in the directory"
            rejected.append(Rejection(f"{service.data.name} ({service.id})", [reason]))
        else:
            listings.append(_listing(service, organization_name, now))
            kept_of[service.id] = _with_known_program(service, known.programs, warned)
    documents = {listing.id: search_index.index_row(listing) for listing in listings}
    return _Chunk(
        read=len(fetched.heads),
        rejected=rejected,
        warned=warned,
        listings=listings,
        documents=documents,
        kept=kept_of,
    )


def _with_known_program(service: ImportedService, programs: set[str], warned: list[Rejection]) -> list[kept.Kept]:
    """What is kept of a listing, its ``program_id`` left out (with a warning) unless that program
    is kept too: an export may name only programs it holds."""
    found = []
    for item in service.kept:
        program = item.record.get("program_id")
        if item.table == "service" and program is not None and program not in programs:
            what = f"{service.data.name} ({service.id})"
            warned.append(Rejection(what, [f"program_id {program} is neither in this package nor kept; left out"]))
            item = kept.Kept(item.table, item.position, {k: v for k, v in item.record.items() if k != "program_id"})
        found.append(item)
    return found


async def _write_services(conn: Connection, chunk: _Chunk | None) -> tuple[int, int, int]:
    """Write one chunk of accepted listings; how many were created, updated and left unchanged."""
    if chunk is None:
        return 0, 0, 0
    listings = chunk.listings
    current = {s.id: s for s in await repo.get_services(conn, [s.id for s in listings])}
    before = {sid: tracked_view(s) for sid, s in current.items()}
    unchanged = {s.id for s in listings if s.id in current and _same(current[s.id], before[s.id], s)}
    listings = [s for s in listings if s.id not in unchanged]
    if not listings:
        await kept.replace(conn, "service", chunk.kept)
        return 0, 0, len(unchanged)
    versions = await import_sql.upsert_services(conn, listings)
    await import_sql.insert_revisions(
        conn,
        [(s.id, versions[s.id], rules.diff(before[s.id], tracked_view(s)) if s.id in before else {}) for s in listings],
    )
    await search_index.copy_index_rows(conn, [chunk.documents[s.id] for s in listings])
    await kept.replace(conn, "service", chunk.kept)  # once the listings it hangs on are written
    updated = len(before) - len(unchanged)
    return len(listings) - updated, updated, len(unchanged)


def _same(stored: Service, view: dict[str, Any], imported: Service) -> bool:
    """Whether importing would change nothing a reader sees (so the listing keeps its version)."""
    return (
        view == tracked_view(imported)
        and stored.last_verified_at == imported.last_verified_at
        and stored.updated_at == imported.updated_at
    )


def _organization_row(organization: ImportedOrganization) -> import_sql.OrganizationRow:
    data = organization.data
    return import_sql.OrganizationRow(
        id=organization.id,
        name=data.name,
        alternate_name=data.alternate_name,
        description=data.description,
        kind=data.kind.value,
        email=data.email,
        website=data.website,
        verified_at=organization.verified_at,
        parent_id=data.parent_id,
        contacts=[msgspec.convert(msgspec.to_builtins(c), Contact) for c in data.contacts],
    )
