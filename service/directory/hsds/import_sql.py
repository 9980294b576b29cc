"""SQL for bulk writes of whole organizations and listings (HSDS imports): rows staged with COPY in
temporary tables, then merged with ``INSERT … ON CONFLICT`` — a listing's parts replaced whole."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec

from service.db import Connection
from service.directory.models import Contact, Location, Schedule, Service
from service.directory.repo import SERVICE_COLUMNS

_ORGANIZATION_COLUMNS = ("id", "name", "alternate_name", "description", "kind", "email", "website", "verified_at")
_SERVICE_COLUMNS = ("id", "organization_id", *SERVICE_COLUMNS, "last_verified_at", "updated_at")
_LOCATION_COLUMNS = (
    "id",
    "organization_id",
    "name",
    "street",
    "commune",
    "province_code",
    "lat",
    "lon",
    "confidential",
    "accessibility",
)


class OrganizationRow(msgspec.Struct, frozen=True):
    id: uuid.UUID
    name: str
    alternate_name: str | None
    description: str
    kind: str
    email: str | None
    website: str | None
    verified_at: datetime | None
    parent_id: uuid.UUID | None
    contacts: list[Contact]


async def _stage(
    conn: Connection, table: str, like: str, columns: Sequence[str], records: list[tuple[Any, ...]]
) -> None:
    """A temporary copy of ``like``'s ``columns`` for this transaction, filled with ``records``."""
    await conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {table} ON COMMIT DROP AS"
        f" SELECT {', '.join(columns)} FROM {like} WITH NO DATA"
    )
    await conn.execute(f"TRUNCATE {table}")
    await conn.copy_records_to_table(table, columns=list(columns), records=records)


def _updates(columns: Sequence[str]) -> str:
    return ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != "id")


async def existing_ids(conn: Connection, table: str, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of ``ids`` are already rows of ``table`` (``organization`` or ``service``)."""
    if table not in ("organization", "service"):  # a name that reaches SQL text: never from input
        raise ValueError(f"not a directory table: {table!r}")
    rows = await conn.fetch(f"SELECT id FROM {table} WHERE id = ANY($1::uuid[])", list(ids))
    return {row["id"] for row in rows}


async def _replace_contacts(conn: Connection, owner: str, contacts: dict[uuid.UUID, list[Contact]]) -> None:
    if owner not in ("service_id", "organization_id"):
        raise ValueError(f"not a contact owner column: {owner!r}")
    await conn.execute(f"DELETE FROM contact_point WHERE {owner} = ANY($1::uuid[])", list(contacts))
    await conn.copy_records_to_table(
        "contact_point",
        columns=["id", owner, "position", "kind", "value", "hours", "is_24_7", "languages"],
        records=[
            (uuid.uuid4(), owner_id, position, c.kind.value, c.value, c.hours, c.is_24_7, c.languages)
            for owner_id, owned in contacts.items()
            for position, c in enumerate(owned)
        ],
    )


# What an import writes: organizations first, then listings with everything that hangs on them.
ORGANIZATION_TABLES = ("organization", "contact_point")
SERVICE_TABLES = (
    "service",
    "location",
    "service_at_location",
    "service_area",
    "schedule",
    "contact_point",
    "service_revision",
    "search_facet_set",
    "search_document",
)


async def analyze(conn: Connection, tables: Sequence[str]) -> None:
    """ANALYZE ``tables`` inside the import's transaction, once it has written to them.

    Autovacuum analyzes from outside: it counts none of the import's uncommitted rows, so a table
    the import is filling (an emptied directory) gets recorded as holding no rows, and from then on
    every foreign-key check of the rows still to come scans that table whole — each chunk slower
    than the last (a 100k import went from ~3 to ~14 minutes). Our ANALYZE counts our own rows,
    and the lock it keeps until commit stops autovacuum from analyzing these tables meanwhile."""
    known = {*ORGANIZATION_TABLES, *SERVICE_TABLES}
    if not set(tables) <= known:  # names that reach SQL text: only ours
        raise ValueError(f"not a table an import writes: {sorted(set(tables) - known)}")
    await conn.execute(f"ANALYZE {', '.join(tables)}")


async def upsert_organizations(conn: Connection, organizations: Sequence[OrganizationRow]) -> None:
    """Insert or update organizations; parents are set once all exist, so order does not matter."""
    records = [tuple(getattr(o, c) for c in _ORGANIZATION_COLUMNS) for o in organizations]
    await _stage(conn, "staged_organization", "organization", _ORGANIZATION_COLUMNS, records)
    columns = ", ".join(_ORGANIZATION_COLUMNS)
    await conn.execute(
        f"INSERT INTO organization ({columns}) SELECT {columns} FROM staged_organization"
        f" ON CONFLICT (id) DO UPDATE SET {_updates(_ORGANIZATION_COLUMNS)},"
        " version = organization.version + 1, updated_at = now()"
    )
    await conn.execute(
        "UPDATE organization o SET parent_id = p.parent_id FROM unnest($1::uuid[], $2::uuid[]) AS p(id, parent_id)"
        " WHERE o.id = p.id AND o.parent_id IS DISTINCT FROM p.parent_id",
        [o.id for o in organizations],
        [o.parent_id for o in organizations],
    )
    await _replace_contacts(conn, "organization_id", {o.id: o.contacts for o in organizations})


async def upsert_services(conn: Connection, services: Sequence[Service]) -> dict[uuid.UUID, int]:
    """Insert or replace listings whole (places, areas, contacts, schedules); their new versions."""
    ids = [s.id for s in services]
    records = [tuple(getattr(s, c) for c in _SERVICE_COLUMNS) for s in services]
    await _stage(conn, "staged_service", "service", _SERVICE_COLUMNS, records)
    columns = ", ".join(_SERVICE_COLUMNS)
    rows = await conn.fetch(
        f"INSERT INTO service ({columns}) SELECT {columns} FROM staged_service"
        f" ON CONFLICT (id) DO UPDATE SET {_updates(_SERVICE_COLUMNS)}, verified_by = NULL,"
        " version = service.version + 1 RETURNING id, version"
    )
    old_places = await conn.fetch(
        "DELETE FROM service_at_location WHERE service_id = ANY($1::uuid[]) RETURNING location_id", ids
    )
    for table in ("service_area", "schedule"):
        await conn.execute(f"DELETE FROM {table} WHERE service_id = ANY($1::uuid[])", ids)
    await _write_locations(conn, services)
    await conn.copy_records_to_table(
        "service_area", columns=["service_id", "area"], records=[(s.id, a) for s in services for a in s.service_areas]
    )
    await _write_schedules(conn, [(s.id, entry) for s in services for entry in s.schedules])
    await _replace_contacts(conn, "service_id", {s.id: s.contacts for s in services})
    await conn.execute(
        "DELETE FROM location l WHERE l.id = ANY($1::uuid[])"
        " AND NOT EXISTS (SELECT 1 FROM service_at_location s WHERE s.location_id = l.id)",
        [row["location_id"] for row in old_places],
    )
    return {row["id"]: row["version"] for row in rows}


async def _write_locations(conn: Connection, services: Sequence[Service]) -> None:
    places: dict[uuid.UUID, tuple[uuid.UUID, Location]] = {}
    for service in services:
        for location in service.locations:
            places.setdefault(location.id, (service.organization_id, location))
    records = [(loc.id, org_id, *_location_values(loc)) for org_id, loc in places.values()]
    await _stage(conn, "staged_location", "location", _LOCATION_COLUMNS, records)
    columns = ", ".join(_LOCATION_COLUMNS)
    await conn.execute(
        f"INSERT INTO location ({columns}) SELECT {columns} FROM staged_location"
        f" ON CONFLICT (id) DO UPDATE SET {_updates(_LOCATION_COLUMNS)}"
    )
    await conn.copy_records_to_table(
        "service_at_location",
        columns=["service_id", "location_id", "position"],
        records=[(s.id, loc.id, position) for s in services for position, loc in enumerate(s.locations)],
    )


def _location_values(loc: Location) -> tuple[Any, ...]:
    street = loc.street or ""
    return (loc.name, street, loc.commune, loc.province_code, loc.lat, loc.lon, loc.confidential, loc.accessibility)


async def _write_schedules(conn: Connection, entries: list[tuple[uuid.UUID, Schedule]]) -> None:
    # Sent as text: "24:00" (open until midnight) is a valid PostgreSQL time but not a Python one.
    await conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS staged_schedule (service_id uuid, weekday int, opens_at text, closes_at text)"
        " ON COMMIT DROP"
    )
    await conn.execute("TRUNCATE staged_schedule")
    await conn.copy_records_to_table(
        "staged_schedule", records=[(sid, s.weekday, s.opens_at, s.closes_at) for sid, s in entries]
    )
    await conn.execute(
        "INSERT INTO schedule (id, service_id, weekday, opens_at, closes_at)"
        " SELECT gen_random_uuid(), service_id, weekday, opens_at::time, closes_at::time FROM staged_schedule"
    )


async def insert_revisions(conn: Connection, revisions: list[tuple[uuid.UUID, int, dict[str, list[Any]]]]) -> None:
    """One ``import`` revision per listing: (service id, version, changes)."""
    await conn.copy_records_to_table(
        "service_revision",
        columns=["service_id", "version", "action", "changes"],
        records=[(sid, version, "import", changes) for sid, version, changes in revisions],
    )
