"""Shared fixtures: one real PostgreSQL per test process (embedded pgserver unless KETNOI_TEST_DATABASE_URL
is set; under `pytest -n` each worker starts its own, in a directory of its own)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from service.db import embedded_database_url, recreate_database


def worker_database(name: str) -> str:
    """A database name of this test process's own: under `pytest -n` workers may share one server
    (KETNOI_TEST_DATABASE_URL), so each suffixes its names with its worker id."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{name}_{worker}" if worker else name


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


@pytest.fixture(scope="session")
def fresh_db(server_url: str) -> Callable[[str], Awaitable[str]]:
    """A factory of empty databases on the run's server."""

    async def make(name: str) -> str:
        return await recreate_database(server_url, worker_database(name))

    return make
