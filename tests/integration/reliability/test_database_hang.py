"""A database that stops answering without going away — a cut network path, a frozen server: the
connections stay open and nothing comes back, so nothing fails fast by itself the way a refused
connection does. Within KETNOI_DB_TIMEOUT (and the time to give up the stuck connection) every
request gets a 503 problem with Retry-After instead of hanging, /readyz says not ready, and once the
database answers again the same service process serves again without a restart."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx

from service.app import create_app
from service.config import Settings
from service.crypto import new_key
from tests.integration.conftest import serving

TIMEOUT_S = 1.0
# a timed-out statement, then giving up its connection (asyncpg cancels it under the same timeout)
ANSWER_WITHIN_S = 3 * TIMEOUT_S + 1.0
PATHS = [  # each needs the database (provinces and taxonomy are served from memory)
    "/api/v1/services",
    "/api/v1/services?q=nha%20tam",
    "/api/v1/organizations",
    "/api/v1/services/8b5c6e8a-0d5e-4a57-9d2f-3f8f0b6d2a11",
]
ANSWERS = {"/api/v1/services/8b5c6e8a-0d5e-4a57-9d2f-3f8f0b6d2a11": 404}


class Blackhole:
    """A TCP proxy in front of PostgreSQL that can stop passing bytes on (both ways, connections
    left open): what a client sees when the network path to its database is cut."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        socket_dir = parse_qs(parts.query).get("host", [""])[0]
        port = parts.port or 5432
        self._unix = f"{socket_dir}/.s.PGSQL.{port}" if socket_dir.startswith("/") else None
        self._tcp = (parts.hostname or "127.0.0.1", port)
        self._upstream = parts
        self._open = asyncio.Event()
        self._open.set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    def hang(self) -> None:
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                await self._open.wait()
                writer.write(data)
                await writer.drain()
        writer.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._open.wait()  # a cut path refuses nothing: new connections hang as well
            if self._unix:
                up_reader, up_writer = await asyncio.open_unix_connection(self._unix)
            else:
                up_reader, up_writer = await asyncio.open_connection(*self._tcp)
        except (OSError, asyncio.CancelledError):  # the client gave up, or the test is over
            writer.close()
            return
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Blackhole]:
        server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        credentials = self._upstream.netloc.rpartition("@")[0]
        self.url = urlunsplit(("postgresql", f"{credentials}@127.0.0.1:{port}", self._upstream.path, "", ""))
        try:
            yield self
        finally:
            self.resume()
            server.close()
            for task in list(self._tasks):
                task.cancel()


async def _timed(client: httpx.AsyncClient, path: str) -> tuple[str, httpx.Response, float]:
    began = time.monotonic()
    response = await client.get(path)
    return path, response, time.monotonic() - began


async def test_a_database_that_stops_answering_gets_quick_503s_and_the_service_answers_again(
    migrated_db: object,
) -> None:
    url = await migrated_db("kn_hang")  # type: ignore[operator]
    async with Blackhole(url).running() as proxy:
        app = create_app(
            Settings(
                database_url=proxy.url,
                data_key=new_key(),
                secret_key=new_key(),
                db_timeout=TIMEOUT_S,
                pool_min_size=1,
                # three background workers (search outbox, mail, reminders) may each hold one while the
                # database hangs: the eight requests below still outnumber what is left for them
                pool_max_size=6,
            )
        )
        async with serving(app), httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            assert (await c.get("/api/v1/services")).status_code == 200

            proxy.hang()
            # more requests at once than the pool has connections: queued ones must not wait forever either
            answers = await asyncio.gather(*(_timed(c, path) for path in PATHS * 2))
            for path, response, took in answers:
                assert response.status_code == 503, (path, response.status_code, response.text[:200])
                assert response.headers["content-type"].startswith("application/problem+json")
                assert response.headers["retry-after"].isdigit()
                assert took < ANSWER_WITHIN_S, f"{path} took {took:.1f} s"
            ready = await _timed(c, "/readyz")
            assert ready[1].status_code == 503 and ready[1].json()["database"] == "down"
            assert (await c.get("/healthz")).status_code == 200, "the process itself is alive"

            proxy.resume()
            deadline = time.monotonic() + 15
            while (await c.get("/api/v1/services")).status_code != 200:
                assert time.monotonic() < deadline, "the service did not answer again after the database did"
                await asyncio.sleep(0.2)
            assert (await c.get("/readyz")).status_code == 200
            for path in PATHS:
                assert (await c.get(path)).status_code == ANSWERS.get(path, 200), path
