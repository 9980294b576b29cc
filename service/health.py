"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

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
T = TypeVar("T")
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


class _DatabaseFigures(msgspec.Struct, frozen=True):
    backlog: tuple[int, float | None]
    mail: mail_status.Backlog


async def _probe(name: str, check: Awaitable[T]) -> T | None:
    """What ``check`` returns, or None when it fails or takes longer than the probe may."""
    try:
        return await asyncio.wait_for(check, PROBE_TIMEOUT_S)
    except Exception as exc:  # any failure to answer is "down"; the reason goes to the log, not the probe
        log.warning("readiness: %s is down: %r", name, exc)
        return None


async def _database_figures(pool: asyncpg.Pool, external: bool) -> _DatabaseFigures:
    """One connection answers all the database's questions, so a database that goes away between
    two of them makes the probe say "down" rather than fail the request."""
    async with pool.acquire() as conn:
        await conn.fetchval("SELECT true")
        backlog = await search_index.backlog(conn) if external else (0, None)
        return _DatabaseFigures(backlog=backlog, mail=await mail_status.backlog(conn))


@get("/healthz", tags=["health"], summary="The process is up")
async def healthz() -> Health:
    return Health(status="ok")


@get("/readyz", tags=["health"], summary="The database and the search backend answer")
async def readyz(pool: NamedDependency[asyncpg.Pool], search: NamedDependency[SearchBackend]) -> Response[Readiness]:
    external = isinstance(search, FallbackSearch)
    figures, pinged = await asyncio.gather(
        _probe("database", _database_figures(pool, external)), _probe("search", search.ping())
    )
    database = "ok" if figures is not None else "down"
    engine = "ok" if pinged else "down"
    search_state = "degraded" if external and engine == "down" else engine
    backlog = figures.backlog if figures else (0, None)
    mail = figures.mail if figures else None
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
