"""Migrations: applied once, in order, even when several replicas start at the same moment."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg

from service.bootstrap import prepare_database
from service.db import migration_files


async def test_replicas_starting_together_apply_each_migration_once(
    fresh_db: Callable[[str], Awaitable[str]],
) -> None:
    url = await fresh_db("kn_migrations")
    connections = [await asyncpg.connect(url) for _ in range(4)]
    try:
        results = await asyncio.gather(*(prepare_database(conn) for conn in connections))
        names = [name for name, _ in migration_files()]
        assert sorted(results, key=len)[-1] == names
        assert sum(len(applied) for applied in results) == len(names)
        recorded = await connections[0].fetch("SELECT name FROM schema_migration ORDER BY name")
        assert [row["name"] for row in recorded] == names
        assert await connections[0].fetchval("SELECT count(*) FROM province") == 34
        assert await prepare_database(connections[0]) == []
    finally:
        for conn in connections:
            await conn.close()
