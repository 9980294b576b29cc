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

from search.fallback import FallbackSearch
from search.protocol import SearchBackend
from service.directory import search_index
from service.notify import status as mail_status

PROBE_TIMEOUT_S = 2.0
log = logging.getLogger("ketnoi.health")


class Health(msgspec.Struct, frozen=True):
    status: str


class Readiness(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    status: str
    database: str
    search: str  # ok | degraded (engine down, PostgreSQL answering meanwhile) | down
    search_backend: str
    search_backlog: int | None = None  # changes waiting for the external engine
    search_backlog_age_s: float | None = None
    # outgoing mail, reported and never a reason to be unready (a relay outage must not take the site down)
    mail_queued: int | None = None
    mail_dead: int | None = None
    mail_oldest_age_s: float | None = None


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
    database, engine = await asyncio.gather(_probe("database", _database_ok(pool)), _probe("search", search.ping()))
    external = isinstance(search, FallbackSearch)
    search_state = "degraded" if external and engine == "down" else engine
    backlog: tuple[int, float | None] = (0, None)
    mail: mail_status.Backlog | None = None
    if database == "ok":
        async with pool.acquire(timeout=PROBE_TIMEOUT_S) as conn:
            if external:
                backlog = await search_index.backlog(conn)
            mail = await mail_status.backlog(conn)
    ready = database == "ok" and search_state != "down"
    body = Readiness(
        status="ok" if ready else "unavailable",
        database=database,
        search=search_state,
        search_backend=search.name,
        search_backlog=backlog[0] if external else None,
        search_backlog_age_s=round(backlog[1], 1) if backlog[1] is not None else None,
        mail_queued=mail.queued if mail else None,
        mail_dead=mail.dead if mail else None,
        mail_oldest_age_s=mail.oldest_age_s if mail else None,
    )
    return Response(body, status_code=HTTP_200_OK if ready else HTTP_503_SERVICE_UNAVAILABLE)
