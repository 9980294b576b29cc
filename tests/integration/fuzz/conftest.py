"""The fuzzed service: ``ketnoi serve --demo`` in a process of its own on a database of its own, one
bearer token per role, and the demo ids fuzz cases draw from.

The service runs as a separate process, as deployed, so on two cores the server and schemathesis's
generation each get one, and fuzzing may wreck its demo data without touching any other test's.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from service.crypto import new_key
from service.db import connect, recreate_database
from tests.conftest import worker_database
from tests.integration.conftest import demo_bearer_headers

T = TypeVar("T")
KETNOI = str(Path(sys.executable).with_name("ketnoi"))
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
# Each operation is fuzzed by every role in this order: admin last, as its writes change the most.
ROLES = ("anonymous", "partner", "caseworker", "coordinator", "admin")
EXAMPLES = int(os.environ.get("KETNOI_FUZZ_EXAMPLES", "3"))
SEED = int(os.environ.get("KETNOI_FUZZ_SEED", "20261123"))
# The coverage phase (boundary values of every parameter, unexpected methods) sends ~60 cases per
# operation whatever the examples: too many for the suite's minute, part of ``make fuzz``.
PHASES = tuple(os.environ.get("KETNOI_FUZZ_PHASES", "examples,fuzzing").split(","))
SUMMARY_KEY = pytest.StashKey[dict[str, Any]]()
# Ids the fuzzer may put in place of the random UUIDs it generates, keyed by the parameter or field
# names that carry them: random UUIDs only ever reach the "not found" branch.
KNOWN_ID_QUERIES = {  # $1, where used: the demo partner's organization
    "service_id": "SELECT id FROM service ORDER BY organization_id = $1 DESC, id LIMIT 12",
    "organization_id": "SELECT id FROM organization ORDER BY id = $1 DESC, id LIMIT 12",
    # not the role logins: an admin fuzzing PATCH on them would end the other roles' runs
    "user_id": "SELECT id FROM app_user WHERE email LIKE 'partner.%' ORDER BY id LIMIT 12",
    "survivor_id": "SELECT id FROM survivor ORDER BY id LIMIT 12",
    "consent_id": "SELECT id FROM consent ORDER BY id LIMIT 12",
    "plan_id": "SELECT DISTINCT ON (status) id FROM plan ORDER BY status, id",
    "milestone_id": "SELECT DISTINCT ON (status) id FROM milestone ORDER BY status, id",
    "referral_id": "(SELECT DISTINCT ON (status) id FROM referral ORDER BY status, id)"
    " UNION (SELECT DISTINCT ON (status) id FROM referral WHERE receiving_organization_id = $1 ORDER BY status, id)",
}


@dataclass(frozen=True)
class FuzzServer:
    url: str
    database: str
    headers: dict[str, dict[str, str]]  # by role; "anonymous" sends none
    known_ids: dict[str, list[str]]
    log: Path

    def spare_headers(self, role: str) -> dict[str, str]:
        """A second token of the role's demo login, for a case that revokes the token it sends."""
        return _in_thread(lambda: _issue_tokens(self.database, [role]))[role]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _in_thread(work: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on a loop of its own: pytest-asyncio owns this thread's loop."""
    result: list[T] = []
    worker = threading.Thread(target=lambda: result.append(asyncio.run(work())))  # type: ignore[arg-type]
    worker.start()
    worker.join()
    if not result:
        raise AssertionError("database set-up failed; see the thread's traceback above")
    return result[0]


async def _issue_tokens(url: str, roles: list[str]) -> dict[str, dict[str, str]]:
    """Bearer headers for the demo logins of ``roles``."""
    conn = await connect(url)
    try:
        return await demo_bearer_headers(conn, roles)
    finally:
        await conn.close()


async def _known_ids(url: str) -> dict[str, list[str]]:
    """A few ids of each kind of record in the demo data, the demo partner's first where it has any."""
    conn = await connect(url)
    try:
        partner_org = await conn.fetchval("SELECT organization_id FROM app_user WHERE email = 'partner@ketnoi.demo'")
        return {
            name: [str(row["id"]) for row in await conn.fetch(query, *([partner_org] if "$1" in query else []))]
            for name, query in KNOWN_ID_QUERIES.items()
        }
    finally:
        await conn.close()


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"ketnoi serve exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError("ketnoi serve did not become healthy in 120 s")


@pytest.fixture(scope="module")
def fuzz_server(server_url: str) -> Iterator[FuzzServer]:
    """``ketnoi serve --demo`` on a fresh database, stopped after the fuzzing module; its output
    (tracebacks of any 5xx) goes to test-artifacts/fuzz-server.log."""
    database = _in_thread(lambda: recreate_database(server_url, worker_database("kn_fuzz")))
    port = _free_port()
    env = {
        **os.environ,
        "KETNOI_DATABASE_URL": database,
        "KETNOI_DATA_KEY": new_key(),
        "KETNOI_SECRET_KEY": new_key(),
        "KETNOI_PORT": str(port),
        "KETNOI_LOG_LEVEL": "warning",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "fuzz-server.log"
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [KETNOI, "serve", "--demo"], env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_healthy(process, url, log)
        headers = {"anonymous": {}, **_in_thread(lambda: _issue_tokens(database, list(ROLES)))}
        known = _in_thread(lambda: _known_ids(database))
        yield FuzzServer(url=url, database=database, headers=headers, known_ids=known, log=log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Tally:
    """What the run did, for docs/reliability.md: cases by role and status, and every 5xx."""

    started: float = field(default_factory=time.monotonic)
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    operations: set[str] = field(default_factory=set)
    server_errors: list[dict[str, Any]] = field(default_factory=list)

    def record(self, role: str, operation: str, status: int) -> None:
        self.statuses.setdefault(role, Counter())[status] += 1
        self.operations.add(operation)
        if status >= 500:
            self.server_errors.append({"role": role, "operation": operation, "status": status})

    def summary(self) -> dict[str, Any]:
        return {
            "seed": SEED,
            "examples_per_operation": EXAMPLES,
            "phases": list(PHASES),
            "operations": len(self.operations),
            "roles": [role for role in ROLES if role in self.statuses],
            "cases": sum(sum(counts.values()) for counts in self.statuses.values()),
            "server_errors": len(self.server_errors),
            "seconds": round(time.monotonic() - self.started, 1),
            "by_role": {
                role: {str(status): count for status, count in sorted(counts.items())}
                for role, counts in self.statuses.items()
            },
            "server_error_cases": self.server_errors,
        }


@pytest.fixture(scope="module")
def fuzz_tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    """Counts the cases sent; at the end writes test-artifacts/fuzz.json and reports the totals."""
    tally = Tally()
    yield tally
    summary = tally.summary()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fuzz.json").write_text(json.dumps(summary, indent=2) + "\n")
    request.config.stash[SUMMARY_KEY] = summary


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    summary = config.stash.get(SUMMARY_KEY, None)
    if summary:
        terminalreporter.write_line(
            f"fuzz: {summary['cases']} cases over {summary['operations']} operations and {len(summary['roles'])} roles"
            f" (seed {summary['seed']}, {summary['examples_per_operation']} examples per operation,"
            f" phases {','.join(summary['phases'])}),"
            f" {summary['server_errors']} server errors, {summary['seconds']} s; test-artifacts/fuzz.json"
        )
