"""Fixtures for tests against the real application and database: the app, a client, and actors."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import asyncpg
import httpx
import pytest
from litestar import Litestar

from service.app import create_app
from service.auth import repo as auth_repo
from service.auth.models import Role
from service.auth.secrets import hash_password, new_token, token_digest
from service.bootstrap import prepare_database
from service.config import Settings
from service.crypto import PersonalDataCipher, new_key, parse_key
from service.db import Connection
from service.demo.seed import DEMO_LOGINS, seed_demo
from tests.integration.notify.smtp_server import Handler, SmtpServer

if TYPE_CHECKING:
    from tests.integration.reintegration.world import World

PASSWORD = "correct horse battery staple"
DATA_KEY = new_key()
# Tables a test may write; reference data (provinces, taxonomy) and migrations stay.
MUTABLE_TABLES = (
    "search_outbox, audit_log, audit_head, referral_event, referral, follow_up, milestone, plan,"
    " consent, survivor,"
    " search_document, search_facet_set, service_revision, schedule, contact_point, service_area,"
    " service_at_location, location, service, rate_limit_hit, api_token, app_user, organization"
)


@pytest.fixture(scope="session")
def migrated_db(fresh_db: Callable[[str], Awaitable[str]]) -> Callable[[str], Awaitable[str]]:
    """A factory of empty databases with every migration applied."""

    async def make(name: str) -> str:
        url = await fresh_db(name)
        conn = await asyncpg.connect(url)
        try:
            await prepare_database(conn, PersonalDataCipher(parse_key(DATA_KEY)))
        finally:
            await conn.close()
        return url

    return make


@pytest.fixture(scope="session")
async def database_url(migrated_db: Callable[[str], Awaitable[str]]) -> str:
    return await migrated_db("kn_test")


@asynccontextmanager
async def serving(application: Litestar) -> AsyncIterator[Litestar]:
    """Run the app's lifespan in a task of its own: pytest sets up and tears down session fixtures
    in different tasks, and the lifespan's cancel scope must be left in the task that entered it."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with application.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # start-up failed: raise its error here
    try:
        yield application
    finally:
        stop.set()
        await task


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[Litestar]:
    settings = Settings(
        database_url=database_url,
        data_key=DATA_KEY,
        secret_key=new_key(),
        pool_min_size=1,
        pool_max_size=12,
        reminder_interval=0,  # tests tick the reminder scheduler themselves, when their data is ready
        mail_interval=0,  # and read the outbox as it was written; tests/integration/notify runs the worker
    )
    application = create_app(settings)
    async with serving(application):
        yield application


@pytest.fixture(scope="session")
def pool(app: Litestar) -> asyncpg.Pool:
    return app.state.pool  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
async def clean_database(request: pytest.FixtureRequest) -> None:
    """Every test that uses the app starts from an empty directory."""
    if "app" not in request.fixturenames:
        return
    pool: asyncpg.Pool = request.getfixturevalue("pool")
    async with pool.acquire() as conn:
        await conn.execute(f"TRUNCATE {MUTABLE_TABLES} CASCADE")
        await conn.execute("UPDATE search_sync SET enabled = false")


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


@pytest.fixture(scope="session")
async def password_hash() -> str:
    return await hash_password(PASSWORD)


@dataclass
class Actor:
    name: str
    role: Role | None
    user_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    email: str | None = None
    token: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@dataclass
class Actors:
    """Two organizations and one user of each role; ``partner`` belongs to ``org``,
    ``other_partner`` to ``other_org``. ``org`` sits under ``other_org``, so the coordinator's
    organization tree holds both (a coordinator's powers end at that tree)."""

    org: uuid.UUID
    other_org: uuid.UUID
    by_name: dict[str, Actor] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Actor:
        try:
            return self.by_name[name]
        except KeyError:
            raise AttributeError(name) from None


async def make_org(conn: asyncpg.Connection, name: str, parent: uuid.UUID | None = None) -> uuid.UUID:
    org_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO organization (id, name, kind, parent_id) VALUES ($1, $2, 'ngo', $3)", org_id, name, parent
    )
    return org_id


async def make_actor(
    conn: asyncpg.Connection, name: str, role: Role, organization_id: uuid.UUID | None, password_hash: str
) -> Actor:
    email = f"{name}@example.org"
    user = await auth_repo.create_user(
        conn, email=email, password_hash=password_hash, role=role, organization_id=organization_id, display_name=name
    )
    token = new_token()
    await conn.execute(
        "INSERT INTO api_token (id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')",
        uuid.uuid4(),
        user.id,
        token_digest(token),
    )
    return Actor(name=name, role=role, user_id=user.id, organization_id=organization_id, email=email, token=token)


@pytest.fixture
async def actors(pool: asyncpg.Pool, password_hash: str) -> Actors:
    async with pool.acquire() as conn:
        other_org = await make_org(conn, "Trung tâm Trợ giúp pháp lý Mekong")
        org = await make_org(conn, "Nhà Tạm Lánh Hoa Sen", other_org)
        result = Actors(org=org, other_org=other_org)
        result.by_name["public"] = Actor(name="public", role=None)
        for name, role, organization in (
            ("partner", Role.PARTNER, org),
            ("other_partner", Role.PARTNER, other_org),
            ("caseworker", Role.CASEWORKER, other_org),
            ("coordinator", Role.COORDINATOR, other_org),
            ("admin", Role.ADMIN, None),
        ):
            result.by_name[name] = await make_actor(conn, name, role, organization, password_hash)
    return result


@pytest.fixture
async def world(client: httpx.AsyncClient, actors: Actors, pool: asyncpg.Pool, password_hash: str) -> World:
    """The reintegration world (a listing to refer to, a case, the people around it) that the
    reintegration, reliability and cases/dashboard/partner page tests share."""
    # imported here: world.py builds on this module's actors, so a top-level import would be circular
    from tests.integration.reintegration.world import build_world

    return await build_world(client, actors, pool, password_hash)


# -- the demo directory, loaded once into its own database for read-only search tests -----------


@pytest.fixture(scope="session")
async def demo_database(fresh_db: Callable[[str], Awaitable[str]]) -> str:
    """The URL of the demo directory's database (seeded by ``demo_app``)."""
    return await fresh_db("kn_demo")


@pytest.fixture(scope="session")
async def demo_app(demo_database: str) -> AsyncIterator[Litestar]:
    application = create_app(
        Settings(
            database_url=demo_database,
            data_key=new_key(),
            secret_key=new_key(),
            pool_min_size=1,
            pool_max_size=6,
            reminder_interval=0,
            mail_interval=0,
        )
    )
    async with serving(application):
        await seed_demo(application.state.pool, application.state.cipher)
        # the words slips are corrected to were read at start-up, from a directory still empty
        await application.state.search.read_vocabulary()
        yield application


@pytest.fixture
async def demo_client(demo_app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=demo_app), base_url="http://testserver") as c:
        yield c


@pytest.fixture(scope="session")
async def demo_tokens(demo_app: Litestar) -> dict[str, dict[str, str]]:
    """Bearer headers for the demo logins, by role name (and ``public`` with none)."""
    async with demo_app.state.pool.acquire() as conn:
        return {"public": {}, **await demo_bearer_headers(conn)}


async def demo_bearer_headers(conn: Connection, roles: Collection[str] | None = None) -> dict[str, dict[str, str]]:
    """A day-long bearer token for each demo login (of ``roles``, or all), as headers by role name."""
    headers: dict[str, dict[str, str]] = {}
    for login in DEMO_LOGINS:
        if roles is not None and login.role.value not in roles:
            continue
        found = await auth_repo.credentials(conn, login.email)
        assert found is not None, login.email
        token = new_token()
        await conn.execute(
            "INSERT INTO api_token (id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')",
            uuid.uuid4(),
            found[0].id,
            token_digest(token),
        )
        headers[login.role.value] = {"Authorization": f"Bearer {token}"}
    return headers


@pytest.fixture
def handler() -> Handler:
    """What the in-process SMTP server received (and how it is to misbehave)."""
    return Handler()


@pytest.fixture
def smtp_server(handler: Handler) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) in this process, for the test's length."""
    running = SmtpServer(handler)
    running.start()
    yield running
    running.stop()
