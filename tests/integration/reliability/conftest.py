"""Fixtures for reliability tests: a PostgreSQL server a test may stop and start (the referral
races use the reintegration world of tests/integration/conftest.py)."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
    import pgserver


class ControlledPostgres:
    """A PostgreSQL server of the test's own (from the pgserver wheel), which it can crash and
    start again at the same address."""

    def __init__(self, root: Path) -> None:
        self.server = pgserver.get_server(root / "pg", cleanup_mode="delete")

    def url(self, database: str) -> str:
        return str(self.server.get_uri(database))

    def crash(self) -> None:
        """Stop it the hard way (`pg_ctl stop -m immediate`): no checkpoint, connections cut, so
        the next start replays the write-ahead log like after a power cut."""
        pgserver.pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        """Start it again with the same socket; returns once it accepts connections."""
        self.server.ensure_postgres_running()


@pytest.fixture
def controlled_postgres() -> Iterator[ControlledPostgres]:
    root = Path(tempfile.mkdtemp(prefix="kn-pg-", dir="/tmp"))  # short: the Unix socket lives in it
    postgres = ControlledPostgres(root)
    try:
        yield postgres
    finally:
        postgres.server.cleanup()
        shutil.rmtree(root, ignore_errors=True)
