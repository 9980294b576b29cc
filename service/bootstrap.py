"""Bringing a database up to date: migrations, then the shipped reference data."""

from __future__ import annotations

from service import places
from service.db import Connection, migrate
from service.directory import taxonomy


async def prepare_database(conn: Connection) -> list[str]:
    """Apply pending migrations and refresh provinces and taxonomy; safe for replicas racing."""
    applied = await migrate(conn)
    async with conn.transaction():
        await places.sync_reference_table(conn)
        await taxonomy.sync_reference_table(conn)
    return applied
