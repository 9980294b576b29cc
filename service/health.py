"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

import asyncpg
import msgspec
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from search.protocol import SearchBackend

PROBE_TIMEOUT_S = 2.0
log = logging.getLogger("ketnoi.health")


class Health(msgspec.Struct, frozen=True):
    status: str


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    status: str
    database: str
    search: str
    search_backend: str


async def _probe(name: str, check: Awaitable[bool]) -> str:
    try:
        ok = await asyncio.wait_for(check, PROBE_TIMEOUT_S)
    except Exception as exc:  # any failure to answer is "down"; the reason goes to the log, not the probe
        log.warning("readiness: %s is down: %r", name, exc)
        return "down"
    return "ok" if ok else "down"


async def _database_ok(pool: asyncpg.Pool) -> bool:
    async with pool.acquire(timeout=PROBE_TIMEOUT_S) as conn:
        return bool(await conn.fetchval("SELECT true"))


@get("/healthz", tags=["health"], summary="The process is up")
async def healthz() -> Health:
    return Health(status="ok")


@get("/readyz", tags=["health"], summary="The database and the search backend answer")
async def readyz(pool: NamedDependency[asyncpg.Pool], search: NamedDependency[SearchBackend]) -> Response[Readiness]:
    database, search_state = await asyncio.gather(
        _probe("database", _database_ok(pool)), _probe("search", search.ping())
    )
    ready = database == "ok" and search_state == "ok"
    body = Readiness(
        status="ok" if ready else "unavailable", database=database, search=search_state, search_backend=search.name
    )
    return Response(body, status_code=HTTP_200_OK if ready else HTTP_503_SERVICE_UNAVAILABLE)
