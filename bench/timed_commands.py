"""Bulk figures, each a real ``ketnoi`` command timed from outside: reindex of the whole
directory, ``seed-demo`` into an empty database, and HSDS export then import of the directory
into an empty database (when this version of ``ketnoi`` has those commands), next to the import's
floor: the package's CSV files COPYed into bare tables, measured in the same run."""

from __future__ import annotations

import csv
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping
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
    return _ketnoi_cpu(args, env, log, timeout)[0]


def _ketnoi_cpu(args: list[str], env: Mapping[str, str], log: Path, timeout: float = 1800) -> tuple[float, float]:
    """Run one ``ketnoi`` command: its wall time and the CPU time of its processes (not PostgreSQL's)."""
    before = _children_cpu_s()
    started = time.perf_counter()
    with log.open("ab") as output:
        subprocess.run(  # noqa: S603 - our own command
            [str(BIN / "ketnoi"), *args], env=env, stdout=output, stderr=subprocess.STDOUT, check=True, timeout=timeout
        )
    return time.perf_counter() - started, _children_cpu_s() - before


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


async def hsds(
    url: str, server: str, env: Mapping[str, str], log: Path, postgres_cpu_s: Callable[[], float]
) -> list[Timed]:
    """Export the bench directory (restricted listings included) and import it into an empty
    database; ``postgres_cpu_s`` reads the server's CPU seconds so far, to say where the import's
    time goes."""
    if not (available("export-hsds", env) and available("import-hsds", env)):
        return [Timed("HSDS export", None, note="not available"), Timed("HSDS import", None, note="not available")]
    folder = Path(tempfile.mkdtemp(prefix="kn-hsds-"))
    target = await recreate_database(server, "bench_hsds_import")
    try:
        source = {**env, "KETNOI_DATABASE_URL": url}
        exported = _ketnoi(["export-hsds", "--include-restricted", str(folder)], source, log)
        services = await _count(url, "service")
        floor = await copy_floor(target, folder)
        postgres_before = postgres_cpu_s()
        imported, cpu_s = _ketnoi_cpu(["import-hsds", str(folder)], {**env, "KETNOI_DATABASE_URL": target}, log)
        postgres = postgres_cpu_s() - postgres_before
        return [
            Timed("HSDS export", exported, services),
            Timed(COPY_FLOOR, floor, services, note="the import's floor: no checks, no indexes, rolled back"),
            Timed(
                "HSDS import (into an empty database)",
                imported,
                await _count(target, "service"),
                note=f"{imported / floor:.1f} × the COPY floor's time; CPU: ketnoi {cpu_s:.0f} s,"
                f" PostgreSQL {postgres:.0f} s",
            ),
        ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        await drop_database(server, "bench_hsds_import")


COPY_FLOOR = "HSDS package COPY into bare tables"


async def copy_floor(url: str, folder: Path) -> float:
    """Seconds to COPY every CSV file of the package into a bare temporary table of text columns,
    as the import's staging does but without its indexes, checks or writes; rolled back."""
    conn = await asyncpg.connect(url)
    try:
        transaction = conn.transaction()
        await transaction.start()
        started = time.perf_counter()
        for index, (path, width) in enumerate(_csv_files(folder)):
            columns = ", ".join(f"c{column} text" for column in range(width))
            await conn.execute(f"CREATE TEMP TABLE floor_{index} ({columns}) ON COMMIT DROP")
            await conn.copy_to_table(f"floor_{index}", source=path, format="csv", header=True, encoding="utf8")
        seconds = time.perf_counter() - started
        await transaction.rollback()
        return seconds
    finally:
        await conn.close()


def _csv_files(folder: Path) -> list[tuple[Path, int]]:
    """The package's CSV files with the number of columns each has."""
    found = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            found.append((path, len(next(csv.reader(handle), []))))
    return found
