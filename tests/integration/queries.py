"""Counting the statements a request sends, for tests that bound what one call costs (a page loads
in a fixed number of queries whatever its size)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

RESET = "SELECT pg_advisory_unlock_all()"  # what the pool sends on every release, not the request's
# asyncpg's look-up of a type, once per connection that first meets it: the driver's, not the request's
INTROSPECTION = ("typeinfo_tree", "'jit'")


@asynccontextmanager
async def counted_queries(pool: asyncpg.Pool) -> AsyncIterator[list[str]]:
    """The statements every connection of ``pool`` sends meanwhile (all of them are held at once,
    so each gets the logger; a logger stays on a connection returned to its pool)."""
    queries: list[str] = []

    def log(record: asyncpg.connection.LoggedQuery) -> None:
        if not record.query.startswith(RESET) and not any(mark in record.query for mark in INTROSPECTION):
            queries.append(record.query)

    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    for conn in held:
        conn.add_query_logger(log)
    for conn in held:
        await pool.release(conn)
    try:
        yield queries
    finally:
        held = [await pool.acquire() for _ in range(pool.get_max_size())]
        for conn in held:
            conn.remove_query_logger(log)
        for conn in held:
            await pool.release(conn)
