"""SQL of the coordinators' listing verification queue: which listings to check first."""

from __future__ import annotations

import uuid

from service.db import Connection


async def queue_ids(
    conn: Connection, *, organizations: frozenset[uuid.UUID] | None, limit: int, offset: int
) -> tuple[list[uuid.UUID], int]:
    """Listing ids of ``organizations`` (None: all) to verify, stale first: never verified, then the
    longest unverified (ties: the least recently updated). Returns one page of ids and the total."""
    rows = await conn.fetch(
        "SELECT id, count(*) OVER () AS total FROM service"
        " WHERE $1::uuid[] IS NULL OR organization_id = ANY($1)"
        " ORDER BY last_verified_at ASC NULLS FIRST, updated_at ASC, id"
        " LIMIT $2 OFFSET $3",
        list(organizations) if organizations is not None else None,
        limit,
        offset,
    )
    total = int(rows[0]["total"]) if rows else 0
    return [row["id"] for row in rows], total
