"""The load side: a server run the production way, wrk against it over loopback, and the peak
memory of its worker processes.

The service runs as ``ketnoi serve`` (uvicorn, ``KETNOI_WORKERS`` = cores; uvicorn picks uvloop
and httptools when installed, as they are with ``uvicorn[standard]``); the bare Litestar hello
as ``uvicorn bench.hello:app`` with the same workers. wrk runs one thread, leaving the cores to
the server; its Lua ``done()`` prints one JSON line (``bench/wrk/report.lua``).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench.cpu import Sides

WRK_DIR = Path(__file__).parent / "wrk"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Measured:
    """One wrk run."""

    name: str
    concurrency: int
    seconds: float
    requests: int
    errors: int  # socket errors and timeouts
    non_2xx: int  # statuses >= 400
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    cpu_ms: dict[str, float] = field(default_factory=dict)  # CPU per request by side (bench/cpu.py)


def parse_wrk(name: str, concurrency: int, stdout: str) -> Measured:
    line = next((line for line in stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary for {name}:\n{stdout}")
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = raw["duration_us"] / 1e6
    # no request finished within the run: latencies are unknown, not zero
    latency = (lambda key: raw[key] / 1000) if raw["requests"] else (lambda key: math.nan)
    return Measured(
        name=name,
        concurrency=concurrency,
        seconds=round(seconds, 2),
        requests=raw["requests"],
        errors=raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"],
        non_2xx=raw["status_errors"],
        rps=raw["requests"] / seconds,
        p50_ms=latency("p50_us"),
        p95_ms=latency("p95_us"),
        p99_ms=latency("p99_us"),
    )


def wrk(
    name: str,
    base_url: str,
    script: str,
    script_args: list[str],
    *,
    concurrency: int,
    seconds: float,
    headers: Mapping[str, str] | None = None,
    warmup: float = 2.0,
    cpu: Sides | None = None,
) -> Measured:
    """Run ``bench/wrk/<script>`` for ``seconds`` (after an unrecorded warm-up) and parse its summary,
    with the CPU each side spent per request during the measured run when ``cpu`` is given."""
    executable = shutil.which("wrk")
    if executable is None:
        raise SystemExit("wrk is not installed: `make bench` installs it (apt-get install wrk)")

    def run(duration: float) -> str:
        command = [executable, "-t1", f"-c{concurrency}", f"-d{max(1, round(duration))}s", "--timeout", "30s"]
        for key, value in (headers or {}).items():
            command += ["-H", f"{key}: {value}"]
        command += ["-s", str(WRK_DIR / script), base_url, "--", *script_args]
        done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration + 60)  # noqa: S603
        return done.stdout

    if warmup:
        run(warmup)
    if cpu is None:
        return parse_wrk(name, concurrency, run(seconds))
    cpu.start()
    measured = parse_wrk(name, concurrency, run(seconds))
    return replace(measured, cpu_ms=cpu.per_request_ms(measured.requests))


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # the parent pid is the second field after the command name, which may hold spaces
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def worker_pids(server_pid: int) -> list[int]:
    """uvicorn's worker processes (spawned children), or the server itself when it has none."""
    workers = []
    for pid in _children(server_pid):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                workers.append(pid)
        except OSError:
            continue
    return sorted(workers) or [server_pid]


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process has held so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str

    def workers(self) -> list[int]:
        return worker_pids(self.process.pid)


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback URL built here
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def serving(command: list[str], env: Mapping[str, str], port: int, ready_path: str, log: Path) -> Iterator[Server]:
    """Start ``command`` listening on ``port``, wait until ``ready_path`` answers 200, stop it after."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - our own executables
            command, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url + ready_path, process)
        yield Server(process=process, base_url=base_url)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # uvicorn's graceful stop; its workers follow
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group we started: the server and its workers
                process.wait()


def service_command() -> list[str]:
    return [str(BIN / "ketnoi"), "serve"]


def hello_command(port: int, workers: int) -> list[str]:
    return [str(BIN / "uvicorn"), "bench.hello:app", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--log-level", "warning", "--no-access-log"]  # fmt: skip
