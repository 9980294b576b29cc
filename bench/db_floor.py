"""The database floor: the same work as an endpoint, sent straight through asyncpg, no HTTP.

For search that is the exact SQL the service builds for the same query set (``bench.queries``);
for the other endpoints the service's own domain call (repo or use case) on a pooled connection.
``concurrency`` tasks share a pool of that many connections for a fixed time; each task times
every call, so rps and percentiles compare with wrk's.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import asyncpg

from bench.cpu import Sides
from service.db import Connection, create_pool
from service.errors import DomainError

Work = Callable[[Connection, int], Awaitable[object]]

# The three facet sub-selects of search/postgres_query.py's statement, for a variant without facets.
_FACET_SELECT = re.compile(r"\(SELECT coalesce\(jsonb_object_agg\(k, .*?\) AS (facet_\w+)", re.DOTALL)


@dataclass(frozen=True)
class Measured:
    name: str
    concurrency: int
    seconds: float
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU per request by side (bench/cpu.py)


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


async def quiesce(url: str, longest: float = 120.0) -> float:
    """Wait until the service's connections have no statement running (one scenario's slow
    requests must not run on into the next one's measurement); returns the seconds waited."""
    started = time.perf_counter()
    conn = await asyncpg.connect(url)
    try:
        while time.perf_counter() - started < longest:
            busy = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name = 'ketnoi' AND state = 'active' AND pid <> pg_backend_pid()"
            )
            if not busy:
                break
            await asyncio.sleep(0.2)
    finally:
        await conn.close()
    return time.perf_counter() - started


def without_facets(statement: str) -> str | None:
    """The search statement with its facet counts replaced by empty objects, or None when the
    statement no longer has the shape this expects (search/ changed)."""
    replaced, count = _FACET_SELECT.subn(r"'{}'::jsonb AS \1", statement)
    return replaced if count == 3 else None


async def measure(
    name: str,
    url: str,
    work: Work,
    *,
    concurrency: int,
    seconds: float,
    warmup: float = 2.0,
    cpu: Sides | None = None,
) -> Measured:
    pool = await create_pool(url, min_size=concurrency, max_size=concurrency)
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0

    async def worker(until: float, record: bool) -> None:
        nonlocal errors
        while (started := time.perf_counter()) < until:
            try:
                async with pool.acquire() as conn:
                    await work(conn, next(counter))
            except (asyncpg.PostgresError, DomainError, TimeoutError):  # counted, as wrk counts non-2xx and timeouts
                errors += record
            else:
                if record:
                    latencies.append(time.perf_counter() - started)

    try:
        if warmup:
            await asyncio.gather(*(worker(time.perf_counter() + warmup, False) for _ in range(concurrency)))
        if cpu:
            cpu.start()
        begin = time.perf_counter()
        await asyncio.gather(*(worker(begin + seconds, True) for _ in range(concurrency)))
        elapsed = time.perf_counter() - begin
        cpu_ms = cpu.per_request_ms(len(latencies)) if cpu else {}
    finally:
        await pool.close()
    ordered = sorted(latencies)
    return Measured(
        name=name,
        concurrency=concurrency,
        seconds=round(elapsed, 2),
        requests=len(ordered),
        errors=errors,
        rps=len(ordered) / elapsed,
        p50_ms=percentile(ordered, 0.50) * 1000,
        p95_ms=percentile(ordered, 0.95) * 1000,
        p99_ms=percentile(ordered, 0.99) * 1000,
        cpu_ms=cpu_ms,
    )


def statement_work(statements: list[tuple[str, list[object]]]) -> Work:
    """Run the statements in turn, as the service runs them (fetchrow, jsonb decoded)."""

    async def run(conn: Connection, n: int) -> object:
        statement, args = statements[n % len(statements)]
        return await conn.fetchrow(statement, *args)

    return run
