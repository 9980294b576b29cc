"""The `ketnoi` command as an operator uses it: serve on the embedded database with demo data,
create users and tokens while it runs, stop with Ctrl-C, start again on the same data."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.reliability.service_process import KETNOI, free_port


class Server:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir, self.port = data_dir, port
        self.env = {**os.environ, "KETNOI_DATA_DIR": str(data_dir), "KETNOI_PORT": str(port)}
        self.env.pop("KETNOI_DATABASE_URL", None)
        self.process: subprocess.Popen[str] | None = None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [KETNOI, "serve", "--demo"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"ketnoi serve exited: {self.process.stdout.read() if self.process.stdout else ''}"
                )
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.3)
        raise AssertionError("ketnoi serve did not become healthy in 90 s")

    def stop(self) -> tuple[int, str]:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        output, _ = self.process.communicate(timeout=30)
        return self.process.returncode, output

    def ketnoi(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([KETNOI, *args], env=self.env, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def data_dirs() -> Iterator[list[Path]]:
    made: list[Path] = []

    def make() -> Path:
        made.append(Path(tempfile.mkdtemp(prefix="kn-cli-", dir="/tmp")))
        return made[-1]

    yield [make(), make()]
    for path in made:
        subprocess.run(["rm", "-rf", str(path)], check=False)


def test_serve_create_user_and_token_while_running_then_restart(data_dirs: list[Path]) -> None:
    server = Server(data_dirs[0], free_port())
    server.start()
    try:
        created = server.ketnoi(
            "create-user", "--email", "hoa@example.org", "--role", "caseworker",
            "--organization", "Hội Liên hiệp Phụ nữ thành phố Cần Thơ", "--password", "mật khẩu đủ dài",
        )  # fmt: skip
        assert created.returncode == 0, created.stdout + created.stderr
        issued = server.ketnoi("create-token", "--email", "hoa@example.org", "--reason", "field tablet")
        assert issued.returncode == 0, issued.stderr
        token = issued.stdout.strip()
        me = httpx.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["role"] == "caseworker"
        duplicate = server.ketnoi(
            "create-user", "--email", "hoa@example.org", "--role", "admin", "--password", "mật khẩu đủ dài"
        )
        assert duplicate.returncode == 2
        assert "already exists" in duplicate.stdout
        total = httpx.get(f"{server.url}/api/v1/services").json()["total"]
        assert total >= 300
        reindexed = server.ketnoi("reindex")
        assert reindexed.returncode == 0, reindexed.stdout + reindexed.stderr
        assert "Reindexed" in reindexed.stdout and "PostgreSQL" in reindexed.stdout
        assert httpx.get(f"{server.url}/api/v1/services").json()["total"] == total
        verified = server.ketnoi("audit-verify")
        assert verified.returncode == 0, verified.stdout
        assert "intact" in verified.stdout
        stats = server.ketnoi("export-stats", str(server.data_dir / "stats"))
        assert stats.returncode == 0, stats.stdout + stats.stderr
        assert (server.data_dir / "stats" / "cases.csv").read_text().startswith("province,case_type,status,cases")
    finally:
        code, output = server.stop()
    assert code == 0, output
    assert f"http://127.0.0.1:{server.port}/" in output
    for login in ("admin@ketnoi.demo", "coordinator@ketnoi.demo", "caseworker@ketnoi.demo", "partner@ketnoi.demo"):
        assert login in output

    server.start()
    try:
        assert httpx.get(f"{server.url}/api/v1/services").json()["total"] == total
        me = httpx.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
    finally:
        code, output = server.stop()
    assert "already has data" in output


def test_two_copies_with_their_own_data_dirs_run_side_by_side(data_dirs: list[Path]) -> None:
    first, second = Server(data_dirs[0], free_port()), Server(data_dirs[1], free_port())
    first.start()
    second.start()
    try:
        user = first.ketnoi(
            "create-user", "--email", "only-first@example.org", "--role", "admin", "--password", "mật khẩu đủ dài"
        )
        assert user.returncode == 0
        assert first.ketnoi("create-token", "--email", "only-first@example.org").returncode == 0
        assert second.ketnoi("create-token", "--email", "only-first@example.org").returncode == 2
        for server in (first, second):
            assert httpx.get(f"{server.url}/readyz").json()["database"] == "ok"
    finally:
        first.stop()
        second.stop()
