"""The directory's answers to the reintegration domain, so that casework never writes SQL against
listing tables: the listing a referral goes to, the names of listings and organizations a referral
or the dashboard shows, the organizations a consent can name, and the listings a case's plan could
be matched with (read from the search documents)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

import asyncpg

from service.db import Connection


async def service_for_referral(conn: Connection, service_id: uuid.UUID) -> asyncpg.Record | None:
    """The listing's organization, visibility, status and whether it takes referrals; None if unknown."""
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT id, organization_id, visibility, status, accepting_referrals FROM service WHERE id = $1", service_id
    )
    return row


async def listing_names(conn: Connection, service_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The names of these listings by id, read in one query however many there are (a referral
    shows the name of the listing it went to)."""
    rows = await conn.fetch("SELECT id, name FROM service WHERE id = ANY($1::uuid[])", list(set(service_ids)))
    return {row["id"]: row["name"] for row in rows}


async def organization_names(conn: Connection, organization_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The names of these organizations by id, read in one query however many there are."""
    rows = await conn.fetch("SELECT id, name FROM organization WHERE id = ANY($1::uuid[])", list(set(organization_ids)))
    return {row["id"]: row["name"] for row in rows}


async def organization_choices(conn: Connection) -> list[asyncpg.Record]:
    """Every organization (id, name) with the provinces it has places in: what a consent's
    recipient is picked from (never cut short: the one a survivor named may be the last)."""
    return list(
        await conn.fetch(
            "SELECT o.id, o.name, coalesce(array_agg(DISTINCT l.province_code ORDER BY l.province_code)"
            " FILTER (WHERE l.province_code IS NOT NULL), '{}') AS provinces"
            " FROM organization o LEFT JOIN location l ON l.organization_id = o.id GROUP BY o.id ORDER BY o.name, o.id"
        )
    )


async def match_candidates(
    conn: Connection,
    categories: Sequence[str],
    areas: Sequence[str],
    *,
    sees_restricted: bool,
    own_organization: uuid.UUID | None,
    limit: int = 300,
) -> list[asyncpg.Record]:
    """Active listings of these categories serving these areas, as the viewer may see them."""
    coordinates = "sd.staff_lat, sd.staff_lon" if sees_restricted else "sd.public_lat, sd.public_lon"
    return list(
        await conn.fetch(
            f"SELECT s.id AS service_id, s.name, s.organization_id, sd.organization_name, s.categories,"
            f" s.populations, sd.provinces, s.languages, s.genders, s.min_age, s.max_age, s.accepting_referrals,"
            f" s.capacity_available, s.last_verified_at, {coordinates}"
            " FROM search_document sd JOIN service s ON s.id = sd.service_id"
            " WHERE sd.categories && $1::text[] AND sd.provinces && $2::text[] AND s.status = 'active'"
            " AND ($3 OR s.visibility = 'public' OR s.organization_id = $4)"
            " ORDER BY s.id LIMIT $5",
            list(categories),
            list(areas),
            sees_restricted,
            own_organization,
            limit,
        )
    )
