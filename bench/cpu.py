"""CPU time spent per request, by side: the service's workers, our PostgreSQL, the load client.

Read from /proc around each scenario, so it says where a request's cost goes whatever else the
machine runs meanwhile (absolute throughput on a shared machine drifts; CPU per request much less).
"""

from __future__ import annotations

import os
import resource
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """User plus system CPU seconds of one process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime: fields 14 and 15 of stat


def postgres_total_cpu_s(pgdata: Path) -> float:
    """CPU seconds our PostgreSQL has used so far, ended backends included: the live processes',
    plus what the postmaster has reaped from the children that exited (a command's backend ends
    with the command, so a ``Meter`` would lose it)."""
    pids = postgres_pids(pgdata)
    if not pids:
        return 0.0
    try:
        fields = Path(f"/proc/{pids[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    reaped = (int(fields[13]) + int(fields[14])) / _TICK  # cutime, cstime: fields 16 and 17 of stat
    return reaped + sum(process_cpu_s(pid) for pid in pids)


def postgres_pids(pgdata: Path) -> list[int]:
    """Our server's postmaster and its children (backends, background workers)."""
    postmaster = None
    needle = str(pgdata.resolve()).encode()
    processes: list[tuple[int, int]] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        pid, parent = int(entry.name), int(stat.rsplit(")", 1)[1].split()[1])
        processes.append((pid, parent))
        if needle in cmdline and b"-D" in cmdline:
            postmaster = pid
    if postmaster is None:
        return []
    return [postmaster, *(pid for pid, parent in processes if parent == postmaster)]


def own_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Meter:
    """CPU seconds used by a changing set of processes between ``start`` and ``stop``."""

    pids: Callable[[], Iterable[int]]
    _before: dict[int, float] | None = None

    def start(self) -> None:
        self._before = {pid: process_cpu_s(pid) for pid in self.pids()}

    def stop(self) -> float:
        assert self._before is not None, "start() first"
        after = {pid: process_cpu_s(pid) for pid in self.pids()}
        # a process born meanwhile counts from zero; one that died meanwhile is lost (pools keep theirs)
        return sum(after[pid] - self._before.get(pid, 0.0) for pid in after)


@dataclass
class Sides:
    """Meters by side (e.g. ``workers``, ``postgres``), reported as CPU milliseconds per request."""

    meters: dict[str, Meter]

    def start(self) -> None:
        for meter in self.meters.values():
            meter.start()

    def per_request_ms(self, requests: int) -> dict[str, float]:
        return {side: round(meter.stop() * 1000 / max(requests, 1), 3) for side, meter in self.meters.items()}
