"""`ketnoi serve` as production runs it — an external database, one or more uvicorn workers — in
a process group of its own, so a test can SIGKILL the whole service at once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

KETNOI = str(Path(sys.executable).with_name("ketnoi"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServiceProcess:
    def __init__(self, database_url: str, data_key: str, secret_key: str, log: Path, *, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = {
            **os.environ,
            "KETNOI_DATABASE_URL": database_url,
            "KETNOI_DATA_KEY": data_key,
            "KETNOI_SECRET_KEY": secret_key,
            "KETNOI_PORT": str(self.port),
            "KETNOI_WORKERS": str(workers),
            "KETNOI_LOG_LEVEL": "warning",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 90) -> float:
        """Start and wait until /readyz answers 200; return how long that took."""
        began = time.monotonic()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [KETNOI, "serve"], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        while time.monotonic() - began < timeout_s:
            if self.process.poll() is not None:
                raise AssertionError(f"ketnoi serve exited {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return time.monotonic() - began
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"ketnoi serve was not ready in {timeout_s} s:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the supervisor and its workers together: no shutdown code runs."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Ctrl-C, as an operator stops it."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
