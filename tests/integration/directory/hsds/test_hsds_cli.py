"""``ketnoi export-hsds`` and ``import-hsds`` as an operator runs them: exit codes and the report."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from tests.integration.conftest import DATA_KEY, Actors
from tests.integration.directory.hsds.test_hsds_transfer import assert_valid
from tests.integration.listings import service_body

KETNOI = str(Path(sys.executable).with_name("ketnoi"))


def ketnoi(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KETNOI_DATABASE_URL": database_url, "KETNOI_DATA_KEY": DATA_KEY, "COLUMNS": "200"}
    return subprocess.run([KETNOI, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


async def test_export_then_import_elsewhere_reports_created_and_rejected_with_reasons(
    client: httpx.AsyncClient,
    actors: Actors,
    database_url: str,
    fresh_db: Callable[[str], Awaitable[str]],
    tmp_path: Path,
) -> None:
    for name in ("Nhà tạm lánh Hoa Sen", "Trợ giúp pháp lý Cần Thơ"):
        created = await client.post(
            "/api/v1/services", headers=actors.admin.headers, json=service_body(actors.org, name=name)
        )
        assert created.status_code == 201
    folder = tmp_path / "package"

    exported = ketnoi(database_url, "export-hsds", str(folder))
    assert exported.returncode == 0, exported.stdout + exported.stderr
    assert "Wrote 2 listings" in exported.stdout and "public view" in exported.stdout
    assert_valid(folder)
    with (folder / "services.csv").open(encoding="utf-8", newline="") as handle:
        services = list(csv.DictReader(handle))
    services[1]["status"] = "closed for good"
    with (folder / "services.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(services[0]))
        writer.writeheader()
        writer.writerows(services)

    elsewhere = await fresh_db("kn_hsds_cli")
    imported = ketnoi(elsewhere, "import-hsds", str(folder))
    assert imported.returncode == 1, imported.stdout + imported.stderr
    assert "Created 1 and updated 0 listings" in imported.stdout
    assert "Rejected 1" in imported.stdout
    assert f"({services[1]['id']}): status 'closed for good' is not an HSDS status" in imported.stdout

    missing = ketnoi(elsewhere, "import-hsds", str(tmp_path / "nothing-here"))
    assert missing.returncode == 2 and "Cannot read the data package" in missing.stdout
