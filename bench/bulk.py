"""Bulk figures, each a real ``ketnoi`` command timed from outside: reindex of the whole
directory, ``seed-demo`` into an empty database, and HSDS export then import of the directory
into an empty database (when this version of ``ketnoi`` has those commands)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from bench.load import BIN
from service.db import drop_database, recreate_database


@dataclass(frozen=True)
class Timed:
    name: str
    seconds: float | None  # None: not available in this version
    rows: int = 0
    note: str = ""

    @property
    def rows_per_s(self) -> float | None:
        return self.rows / self.seconds if self.seconds and self.rows else None


def _ketnoi(args: list[str], env: Mapping[str, str], log: Path, timeout: float = 1800) -> float:
    started = time.perf_counter()
    with log.open("ab") as output:
        subprocess.run(  # noqa: S603 - our own command
            [str(BIN / "ketnoi"), *args], env=env, stdout=output, stderr=subprocess.STDOUT, check=True, timeout=timeout
        )
    return time.perf_counter() - started


def available(command: str, env: Mapping[str, str]) -> bool:
    found = subprocess.run(  # noqa: S603 - our own command
        [str(BIN / "ketnoi"), command, "--help"], env=env, capture_output=True, check=False
    )
    return found.returncode == 0


async def _count(url: str, table: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await conn.close()


async def reindex(url: str, env: Mapping[str, str], log: Path) -> Timed:
    seconds = _ketnoi(["reindex"], {**env, "KETNOI_DATABASE_URL": url}, log)
    return Timed("reindex (PostgreSQL)", seconds, await _count(url, "search_document"))


async def seed_demo(server: str, env: Mapping[str, str], log: Path) -> Timed:
    url = await recreate_database(server, "bench_seed_demo")
    try:
        seconds = _ketnoi(["seed-demo"], {**env, "KETNOI_DATABASE_URL": url}, log)
        return Timed("seed-demo", seconds, await _count(url, "service"), note="listings; plus 40 cases")
    finally:
        await drop_database(server, "bench_seed_demo")


async def hsds(url: str, server: str, env: Mapping[str, str], log: Path) -> list[Timed]:
    """Export the bench directory (restricted listings included) and import it into an empty database."""
    if not (available("export-hsds", env) and available("import-hsds", env)):
        return [Timed("HSDS export", None, note="not available"), Timed("HSDS import", None, note="not available")]
    folder = Path(tempfile.mkdtemp(prefix="kn-hsds-"))
    target = await recreate_database(server, "bench_hsds_import")
    try:
        source = {**env, "KETNOI_DATABASE_URL": url}
        exported = _ketnoi(["export-hsds", "--include-restricted", str(folder)], source, log)
        services = await _count(url, "service")
        imported = _ketnoi(["import-hsds", str(folder)], {**env, "KETNOI_DATABASE_URL": target}, log)
        return [
            Timed("HSDS export", exported, services),
            Timed("HSDS import (into an empty database)", imported, await _count(target, "service")),
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        await drop_database(server, "bench_hsds_import")
