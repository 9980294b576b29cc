"""Shared fixtures: one real PostgreSQL per run (embedded pgserver unless KETNOI_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from service.db import embedded_database_url


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A PostgreSQL server for the whole run. The embedded one lives under a short temp path:
    its Unix socket path must stay under ~100 characters."""
    configured = os.environ.get("KETNOI_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    data_dir = Path(tempfile.mkdtemp(prefix="kn-", dir="/tmp"))
    try:
        yield embedded_database_url(data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


async def fresh_database(server_url: str, name: str) -> str:
    """Create (or re-create) an empty database and return its URL."""
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return with_database(server_url, name)


@pytest.fixture(scope="session")
def fresh_db(server_url: str) -> Callable[[str], Awaitable[str]]:
    """A factory of empty databases on the run's server."""

    async def make(name: str) -> str:
        return await fresh_database(server_url, name)

    return make
