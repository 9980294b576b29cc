"""SQL for organizations, listings and their parts, and listing revisions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import msgspec

from service.db import Connection, assignments, insert_sql, sql_value, update_sql
from service.directory.models import ContactIn, LocationIn, Organization, Revision, ScheduleIn, Service
from service.errors import FieldError, NotFound, PreconditionFailed, ValidationFailed

# Scalar listing columns a write may set; the keys are the only names that reach SQL text.
SERVICE_COLUMNS = (
    "name",
    "alternate_name",
    "description",
    "status",
    "categories",
    "populations",
    "eligibility_description",
    "min_age",
    "max_age",
    "genders",
    "languages",
    "fee",
    "application_process",
    "required_documents",
    "accepting_referrals",
    "capacity_total",
    "capacity_available",
    "visibility",
)
# Optimistic concurrency: $1 the id, $2 the version the writer read (NULL: no check).
_CURRENT_VERSION = "id = $1 AND ($2::int IS NULL OR version = $2)"
ORGANIZATION_COLUMNS = ("name", "alternate_name", "description", "kind", "parent_id", "email", "website")
# What an edit of each versioned table may change, and its answers when the row moved on or is gone.
_VERSIONED = {
    "service": (
        SERVICE_COLUMNS,
        "Someone else changed this listing; reload it and apply your edit again",
        "No such service",
    ),
    "organization": (
        ORGANIZATION_COLUMNS,
        "Someone else changed this organization; reload it and try again",
        "No such organization",
    ),
}

_SERVICE_SELECT = """
SELECT s.*, jsonb_build_object('id', o.id, 'name', o.name) AS organization,
    coalesce((SELECT jsonb_agg(jsonb_build_object(
                'id', l.id, 'name', l.name, 'street', l.street, 'commune', l.commune,
                'province_code', l.province_code, 'lat', l.lat, 'lon', l.lon,
                'confidential', l.confidential, 'accessibility', l.accessibility) ORDER BY sal.position)
              FROM service_at_location sal JOIN location l ON l.id = sal.location_id
              WHERE sal.service_id = s.id), '[]') AS locations,
    coalesce((SELECT array_agg(area ORDER BY area) FROM service_area WHERE service_id = s.id), '{}') AS service_areas,
    coalesce((SELECT jsonb_agg(jsonb_build_object(
                'kind', c.kind, 'value', c.value, 'hours', c.hours, 'is_24_7', c.is_24_7,
                'languages', c.languages) ORDER BY c.position)
              FROM contact_point c WHERE c.service_id = s.id), '[]') AS contacts,
    coalesce((SELECT jsonb_agg(jsonb_build_object(
                'weekday', h.weekday, 'opens_at', to_char(h.opens_at, 'HH24:MI'),
                'closes_at', CASE WHEN h.closes_at = '24:00' THEN '24:00' ELSE to_char(h.closes_at, 'HH24:MI') END)
                ORDER BY h.weekday, h.opens_at)
              FROM schedule h WHERE h.service_id = s.id), '[]') AS schedules
FROM service s JOIN organization o ON o.id = s.organization_id
"""

_ORGANIZATION_SELECT = """
SELECT o.*,
    coalesce((SELECT jsonb_agg(jsonb_build_object(
                'kind', c.kind, 'value', c.value, 'hours', c.hours, 'is_24_7', c.is_24_7,
                'languages', c.languages) ORDER BY c.position)
              FROM contact_point c WHERE c.organization_id = o.id), '[]') AS contacts
FROM organization o
"""


def _to_service(row: asyncpg.Record) -> Service:
    return msgspec.convert(dict(row), Service, strict=False)


def _to_organization(row: asyncpg.Record) -> Organization:
    return msgspec.convert(dict(row), Organization, strict=False)


# -- listings ---------------------------------------------------------------------------------


async def get_service(conn: Connection, service_id: uuid.UUID, *, for_update: bool = False) -> Service:
    lock = " FOR UPDATE OF s" if for_update else ""
    row = await conn.fetchrow(_SERVICE_SELECT + " WHERE s.id = $1" + lock, service_id)
    if row is None:
        raise NotFound("No such service")
    return _to_service(row)


async def get_services(conn: Connection, service_ids: Sequence[uuid.UUID]) -> list[Service]:
    rows = await conn.fetch(_SERVICE_SELECT + " WHERE s.id = ANY($1::uuid[]) ORDER BY s.id", list(service_ids))
    return [_to_service(row) for row in rows]


async def service_ids_after(conn: Connection, after: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
    """Listing ids in id order, for walking the whole directory in batches."""
    rows = await conn.fetch(
        "SELECT id FROM service WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2", after, limit
    )
    return [row["id"] for row in rows]


async def organization_of_service(conn: Connection, service_id: uuid.UUID) -> tuple[uuid.UUID, str] | None:
    row = await conn.fetchrow("SELECT organization_id, visibility FROM service WHERE id = $1", service_id)
    return (row["organization_id"], row["visibility"]) if row else None


async def insert_service(
    conn: Connection, service_id: uuid.UUID, organization_id: uuid.UUID, fields: Mapping[str, Any]
) -> None:
    args: list[Any] = [service_id, organization_id]
    names = ["id", "organization_id"]
    for column in SERVICE_COLUMNS:
        if column in fields:
            args.append(sql_value(fields[column]))
            names.append(column)
    try:
        await conn.execute(insert_sql("service", names), *args)
    except asyncpg.ForeignKeyViolationError as exc:
        raise ValidationFailed(
            "Unknown organization", errors=[FieldError(field="organization_id", message="no such organization")]
        ) from exc


async def update_service(
    conn: Connection, service_id: uuid.UUID, expected_version: int | None, changes: Mapping[str, Any]
) -> int:
    """Apply scalar changes and bump the version, only if the stored version is the expected one."""
    return await _update_versioned(conn, "service", service_id, expected_version, changes)


async def _update_versioned(
    conn: Connection, table: str, row_id: uuid.UUID, expected_version: int | None, changes: Mapping[str, Any]
) -> int:
    """Apply ``changes`` (whitelisted by ``_VERSIONED``) to one row of ``table`` and bump its
    version, only if the stored version is the expected one; the new version, else 412 or 404."""
    columns, stale, missing = _VERSIONED[table]
    args: list[Any] = [row_id, expected_version]
    sets = [*assignments(columns, changes, args), "version = version + 1", "updated_at = now()"]
    version = await conn.fetchval(update_sql(table, sets, _CURRENT_VERSION, returning="version"), *args)
    if version is None:
        if await conn.fetchval(f"SELECT true FROM {table} WHERE id = $1", row_id):
            raise PreconditionFailed(stale)
        raise NotFound(missing)
    return int(version)


async def mark_verified(conn: Connection, service_id: uuid.UUID, user_id: uuid.UUID) -> int:
    version = await conn.fetchval(
        "UPDATE service SET last_verified_at = now(), verified_by = $2, version = version + 1, updated_at = now()"
        " WHERE id = $1 RETURNING version",
        service_id,
        user_id,
    )
    if version is None:
        raise NotFound("No such service")
    return int(version)


async def mark_confirmed(conn: Connection, service_id: uuid.UUID, user_id: uuid.UUID) -> int:
    """The organization's confirmation; a coordinator's verification stays as it was."""
    version = await conn.fetchval(
        "UPDATE service SET confirmed_at = now(), confirmed_by = $2, version = version + 1, updated_at = now()"
        " WHERE id = $1 RETURNING version",
        service_id,
        user_id,
    )
    if version is None:
        raise NotFound("No such service")
    return int(version)


async def replace_locations(
    conn: Connection, service_id: uuid.UUID, organization_id: uuid.UUID, locations: Sequence[LocationIn]
) -> None:
    """Re-link the listing to these locations; locations no listing uses any more are removed."""
    old = [
        r["location_id"]
        for r in await conn.fetch(
            "DELETE FROM service_at_location WHERE service_id = $1 RETURNING location_id", service_id
        )
    ]
    rows = []
    for position, loc in enumerate(locations):
        rows.append(
            (
                uuid.uuid4(),
                organization_id,
                loc.name,
                loc.street,
                loc.commune,
                loc.province_code,
                loc.lat,
                loc.lon,
                loc.confidential,
                loc.accessibility,
                service_id,
                position,
            )
        )
    if rows:
        await conn.executemany(
            "WITH l AS (INSERT INTO location (id, organization_id, name, street, commune, province_code, lat, lon,"
            " confidential, accessibility) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id)"
            " INSERT INTO service_at_location (service_id, location_id, position) SELECT $11, id, $12 FROM l",
            rows,
        )
    if old:
        await conn.execute(
            "DELETE FROM location l WHERE l.id = ANY($1::uuid[])"
            " AND NOT EXISTS (SELECT 1 FROM service_at_location s WHERE s.location_id = l.id)",
            old,
        )


async def replace_areas(conn: Connection, service_id: uuid.UUID, areas: Sequence[str]) -> None:
    await conn.execute("DELETE FROM service_area WHERE service_id = $1", service_id)
    await conn.execute(
        "INSERT INTO service_area (service_id, area) SELECT $1, unnest($2::text[])", service_id, list(areas)
    )


async def replace_contacts(
    conn: Connection,
    contacts: Sequence[ContactIn],
    *,
    service_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
) -> None:
    if service_id is not None:
        await conn.execute("DELETE FROM contact_point WHERE service_id = $1", service_id)
    else:
        await conn.execute("DELETE FROM contact_point WHERE organization_id = $1", organization_id)
    await conn.executemany(
        "INSERT INTO contact_point (id, service_id, organization_id, position, kind, value, hours, is_24_7, languages)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        [
            (
                uuid.uuid4(),
                service_id,
                organization_id,
                position,
                c.kind.value,
                c.value,
                c.hours,
                c.is_24_7,
                list(c.languages),
            )
            for position, c in enumerate(contacts)
        ],
    )


async def replace_schedules(conn: Connection, service_id: uuid.UUID, schedules: Sequence[ScheduleIn]) -> None:
    await conn.execute("DELETE FROM schedule WHERE service_id = $1", service_id)
    await conn.executemany(
        "INSERT INTO schedule (id, service_id, weekday, opens_at, closes_at)"
        " VALUES ($1, $2, $3, $4::text::time, $5::text::time)",
        [(uuid.uuid4(), service_id, s.weekday, s.opens_at, s.closes_at) for s in schedules],
    )


async def insert_revision(
    conn: Connection,
    service_id: uuid.UUID,
    version: int,
    action: str,
    actor_id: uuid.UUID | None,
    changes: Mapping[str, list[Any]],
) -> None:
    await conn.execute(
        "INSERT INTO service_revision (service_id, version, action, actor_id, changes) VALUES ($1, $2, $3, $4, $5)",
        service_id,
        version,
        action,
        actor_id,
        msgspec.to_builtins(dict(changes)),
    )


async def list_revisions(
    conn: Connection, service_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[Revision], int]:
    rows = await conn.fetch(
        "SELECT version, action, actor_id, at, changes, count(*) OVER () AS total FROM service_revision"
        " WHERE service_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
        service_id,
        limit,
        offset,
    )
    total = rows[0]["total"] if rows else 0
    return [msgspec.convert(dict(row), Revision, strict=False) for row in rows], total


# -- organizations ----------------------------------------------------------------------------


def _organization_error(exc: asyncpg.IntegrityConstraintViolationError) -> Exception:
    if getattr(exc, "constraint_name", None) in ("organization_parent_id_fkey", "organization_not_own_parent"):
        return ValidationFailed(
            "Invalid parent organization", errors=[FieldError(field="parent_id", message="no such organization")]
        )
    return exc


async def get_organization(conn: Connection, organization_id: uuid.UUID, *, for_update: bool = False) -> Organization:
    lock = " FOR UPDATE OF o" if for_update else ""
    row = await conn.fetchrow(_ORGANIZATION_SELECT + " WHERE o.id = $1" + lock, organization_id)
    if row is None:
        raise NotFound("No such organization")
    return _to_organization(row)


async def list_organizations(
    conn: Connection, *, query: str | None, limit: int, offset: int
) -> tuple[list[Organization], int]:
    # the text anywhere in either name, taken literally: LIKE's wildcards and escape character escaped
    literal = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") if query else None
    pattern = f"%{literal}%" if literal else None
    rows = await conn.fetch(
        "SELECT id, count(*) OVER () AS total FROM organization"
        " WHERE $1::text IS NULL OR name ILIKE $1 OR alternate_name ILIKE $1"
        " ORDER BY name, id LIMIT $2 OFFSET $3",
        pattern,
        limit,
        offset,
    )
    if not rows:
        return [], 0
    full = await conn.fetch(
        _ORGANIZATION_SELECT + " WHERE o.id = ANY($1::uuid[]) ORDER BY o.name, o.id", [r["id"] for r in rows]
    )
    return [_to_organization(row) for row in full], rows[0]["total"]


async def insert_organization(conn: Connection, organization_id: uuid.UUID, fields: Mapping[str, Any]) -> None:
    args: list[Any] = [organization_id]
    names = ["id"]
    for column in ORGANIZATION_COLUMNS:
        if column in fields:
            args.append(sql_value(fields[column]))
            names.append(column)
    try:
        await conn.execute(insert_sql("organization", names), *args)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise _organization_error(exc) from exc


async def update_organization(
    conn: Connection, organization_id: uuid.UUID, expected_version: int | None, changes: Mapping[str, Any]
) -> int:
    try:
        return await _update_versioned(conn, "organization", organization_id, expected_version, changes)
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise _organization_error(exc) from exc


async def parent_cycle(conn: Connection, organization_id: uuid.UUID, parent_id: uuid.UUID) -> bool:
    """Whether making ``parent_id`` the parent would put ``organization_id`` under itself."""
    found = await conn.fetchval(
        "WITH RECURSIVE up AS (SELECT id, parent_id FROM organization WHERE id = $2"
        " UNION SELECT o.id, o.parent_id FROM organization o JOIN up ON o.id = up.parent_id)"
        " SELECT true FROM up WHERE id = $1 LIMIT 1",
        organization_id,
        parent_id,
    )
    return bool(found)


async def service_ids_of_organization(conn: Connection, organization_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await conn.fetch("SELECT id FROM service WHERE organization_id = $1", organization_id)
    return [row["id"] for row in rows]


async def all_organizations(conn: Connection) -> list[Organization]:
    rows = await conn.fetch(_ORGANIZATION_SELECT + " ORDER BY o.name, o.id")
    return [_to_organization(row) for row in rows]


async def get_organizations(conn: Connection, organization_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Organization]:
    """The organizations of ``organization_ids`` that exist, by id: one query for any number."""
    rows = await conn.fetch(_ORGANIZATION_SELECT + " WHERE o.id = ANY($1::uuid[])", list(organization_ids))
    return {row["id"]: _to_organization(row) for row in rows}


async def organization_names(conn: Connection, organization_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await conn.fetch("SELECT id, name FROM organization WHERE id = ANY($1::uuid[])", list(organization_ids))
    return {row["id"]: row["name"] for row in rows}
