"""SQL of the coordinators' listing verification queue: which listings to check first."""

from __future__ import annotations

import uuid

from service.db import Connection


async def queue_ids(conn: Connection, *, limit: int, offset: int) -> tuple[list[uuid.UUID], int]:
    """Listing ids to verify, stale first: never verified, then the longest unverified (ties: the
    least recently updated). Returns one page of ids and the total."""
    rows = await conn.fetch(
        "SELECT id, count(*) OVER () AS total FROM service"
        " ORDER BY last_verified_at ASC NULLS FIRST, updated_at ASC, id"
        " LIMIT $1 OFFSET $2",
        limit,
        offset,
    )
    total = int(rows[0]["total"]) if rows else 0
    return [row["id"] for row in rows], total
