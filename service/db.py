"""Database plumbing: embedded PostgreSQL, the pool, migrations and the transaction helper."""

from __future__ import annotations

import asyncio
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeAlias, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import msgspec

from service.config import Settings

log = logging.getLogger("ketnoi.db")

P = ParamSpec("P")
T = TypeVar("T")

# Every replica takes this lock before migrating, so two starting together apply each file once.
MIGRATION_LOCK_ID = 7_460_211_902_133
RETRYABLE = (asyncpg.SerializationError, asyncpg.DeadlockDetectedError)
CONNECT_TIMEOUT_S = 60.0  # asyncpg's own default, kept for commands without a timeout
MAX_ATTEMPTS = 4


class DatabaseUnreachable(ConnectionError):
    """No connection to PostgreSQL could be opened (refused, socket gone, timed out, name unknown).
    Still an ``OSError``, so code that waits out network failures keeps catching it."""


# What losing the database looks like: no new connection, a pooled one cut mid-use (class 08), or
# the server starting up or shutting down (57P01-57P03). Requests meeting these answer 503, and the
# pool replaces the broken connections by itself once the server is back.
DATABASE_DOWN: tuple[type[Exception], ...] = (
    DatabaseUnreachable,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)


def lost_database(exc: BaseException) -> bool:
    """Whether ``exc`` is the database going away, also when asyncpg reports it as the
    ``InterfaceError`` ("connection is closed") a transaction block raises while leaving a
    connection the server cut, with the real cause as its context."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DATABASE_DOWN):
            return True
        seen = seen.__context__
    return False


Pool = asyncpg.Pool
if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    # A pooled connection and a plain one answer the same calls; repositories take either.
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
else:
    Connection = asyncpg.Connection

_embedded_servers: dict[Path, Any] = {}


def embedded_database_url(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL under ``data_dir/pg`` and return its URL.

    pgserver counts handles across processes, so the service and ``ketnoi`` commands can share
    one server; the last process to exit stops it.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI) and falls back to /tmp: fine here
        warnings.simplefilter("ignore")
        import pgserver  # imported lazily: production deployments never start it

    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "pg"
    if pgdata not in _embedded_servers:
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
        _embedded_servers[pgdata] = server
    uri: str = _embedded_servers[pgdata].get_uri()
    return uri


def with_database(url: str, name: str) -> str:
    """The same server's URL, pointing at database ``name``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def recreate_database(server_url: str, name: str) -> str:
    """Drop database ``name`` if it exists, create it empty, and return its URL (tests, benchmarks)."""
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{identifier(name)}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{identifier(name)}"')
    finally:
        await admin.close()
    return with_database(server_url, name)


async def drop_database(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{identifier(name)}" WITH (FORCE)')
    finally:
        await admin.close()


def database_url(settings: Settings) -> str:
    """The configured database, or the embedded one when none is configured."""
    return settings.database_url or embedded_database_url(Path(settings.data_dir))


# jsonb's binary form is a version byte (1) and the JSON text; binary, so COPY can carry it too.
_JSONB_VERSION = b"\x01"


def _encode_jsonb(value: Any) -> bytes:
    return _JSONB_VERSION + msgspec.json.encode(value)


def _decode_jsonb(data: bytes) -> Any:
    return msgspec.json.decode(data[1:])


async def _init_connection(conn: asyncpg.Connection[asyncpg.Record]) -> None:
    await conn.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog", format="binary"
    )


async def connect(url: str) -> asyncpg.Connection[asyncpg.Record]:
    """One connection with the same codecs as the pool (CLI and tests)."""
    conn: asyncpg.Connection[asyncpg.Record] = await asyncpg.connect(url)
    await _init_connection(conn)
    return conn


async def _pool_connect(*args: Any, **kwargs: Any) -> asyncpg.Connection[asyncpg.Record]:
    """asyncpg's connect, with the OS-level failures (socket missing, refused, timeout) named as
    the database being unreachable rather than left as bare ``OSError``s."""
    try:
        conn: asyncpg.Connection[asyncpg.Record] = await asyncpg.connect(*args, **kwargs)
    except OSError as exc:  # TimeoutError is an OSError too
        raise DatabaseUnreachable(f"cannot connect to PostgreSQL: {exc!r}") from exc
    return conn


async def create_pool(url: str, *, min_size: int = 2, max_size: int = 10, query_timeout_s: float | None = None) -> Pool:
    """A pool with the service's codecs. ``query_timeout_s``: seconds a statement, or opening a connection,
    may take before ``TimeoutError`` — the service's requests then answer 503 instead of waiting on a
    database that stopped answering (a cut network, a frozen server); ``None``, for the bulk
    commands, lets a long statement run."""
    pool = await asyncpg.create_pool(
        url,
        connect=_pool_connect,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        command_timeout=query_timeout_s,
        timeout=query_timeout_s or CONNECT_TIMEOUT_S,
        server_settings={"application_name": "ketnoi", "timezone": "UTC"},
    )
    assert pool is not None
    return pool


async def transact(
    pool: Pool,
    work: Callable[Concatenate[Connection, P], Awaitable[T]],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run ``work(conn, ...)`` in one transaction, retrying serialization failures and deadlocks.

    ``work`` must be safe to run again: it only touches the database through ``conn``.
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            async with pool.acquire() as conn, conn.transaction():
                return await work(conn, *args, **kwargs)
        except RETRYABLE:
            if attempt == MAX_ATTEMPTS:
                raise
            log.info("transaction conflict, retrying (attempt %d)", attempt)
            await asyncio.sleep(0.01 * 2**attempt)
    raise AssertionError("unreachable")


def sql_value(value: Any) -> Any:
    """A bind parameter as PostgreSQL stores it: enum members (and lists of them) as their text."""
    if isinstance(value, list):
        return [sql_value(item) for item in value]
    return value.value if isinstance(value, Enum) else value


def assignments(columns: Sequence[str], changes: Mapping[str, Any], args: list[Any]) -> list[str]:
    """``column = $n`` for each whitelisted column present in ``changes``, binding its value into
    ``args``: only names from ``columns`` ever reach the SQL text."""
    parts = []
    for column in columns:
        if column in changes:
            args.append(sql_value(changes[column]))
            parts.append(f"{column} = ${len(args)}")
    return parts


_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def identifier(name: str) -> str:
    """A table or column name from the code's whitelists, checked once more before it meets SQL."""
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def insert_sql(table: str, columns: Sequence[str], returning: str = "") -> str:
    """``INSERT INTO table (columns) VALUES ($1, …)``: names checked, every value a bind parameter."""
    names = ", ".join(identifier(column) for column in columns)
    placeholders = ", ".join(f"${index}" for index in range(1, len(columns) + 1))
    tail = f" RETURNING {returning}" if returning else ""
    return f"INSERT INTO {identifier(table)} ({names}) VALUES ({placeholders}){tail}"


def update_sql(table: str, sets: Sequence[str], where: str, returning: str = "") -> str:
    """``UPDATE table SET …`` from ``assignments`` output (``column = $n`` pairs) and a fixed WHERE."""
    tail = f" RETURNING {returning}" if returning else ""
    return f"UPDATE {identifier(table)} SET {', '.join(sets)} WHERE {where}{tail}"


def migration_files() -> list[tuple[str, str]]:
    """The forward-only migrations shipped with the package, in order: (name, sql)."""
    folder = resources.files("service") / "migrations"
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".sql"))
    return [(name, (folder / name).read_text(encoding="utf-8")) for name in names]


# A line ``-- ketnoi:step NAME`` in a migration runs the Python step NAME there, between the SQL
# before and after it: for work SQL cannot do alone (encrypting existing rows needs the data key).
_STEP = re.compile(r"^-- ketnoi:step ([a-z0-9-]+)$", re.MULTILINE)
MigrationStep: TypeAlias = Callable[[Connection], Awaitable[object]]


async def migrate(conn: Connection, steps: Mapping[str, MigrationStep]) -> list[str]:
    """Apply the migrations this database has not seen yet, with the steps they name; return their names."""
    applied: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK_ID)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migration ("
            " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row["name"] for row in await conn.fetch("SELECT name FROM schema_migration")}
        for name, sql in migration_files():
            if name in done:
                continue
            log.info("applying migration %s", name)
            parts = _STEP.split(sql)  # SQL, step name, SQL, …
            for index, part in enumerate(parts):
                if index % 2 == 0:
                    await conn.execute(part)
                elif part in steps:
                    log.info("running step %s of migration %s", part, name)
                    await steps[part](conn)
                else:
                    raise LookupError(f"migration {name} needs the step {part!r}, which nobody provided")
            await conn.execute("INSERT INTO schema_migration (name) VALUES ($1)", name)
            applied.append(name)
    return applied
