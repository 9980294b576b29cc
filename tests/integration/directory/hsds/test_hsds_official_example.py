"""The Open Referral specification's own example data package (HSDS 3.0, ``tests/data/
openreferral-example``) on real PostgreSQL: it imports whole, values that cannot be stored are left
out with a warning saying where, and what Kết Nối has no column for goes back out on export."""

from __future__ import annotations

import csv
import shutil
import uuid
from pathlib import Path

import asyncpg

from service.directory.repo import get_services
from tests.integration.directory.hsds.test_hsds_transfer import export, load, rows

EXAMPLE = Path(__file__).resolve().parents[3] / "data" / "openreferral-example"
SERVICE = "ac148810-d857-441c-9679-408f346de14b"
ORGANIZATION = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"


def example(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / "example"))


async def empty(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await conn.execute("TRUNCATE organization, service CASCADE")


async def test_the_official_example_imports_its_service_and_organization_with_warnings(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    report = await load(pool, example(tmp_path))

    assert (report.services_created, report.organizations_created, report.rejected) == (1, 1, []), report.rejected
    warnings = "\n".join(f"{w.what}: {' '.join(w.reasons)}" for w in report.warnings)
    assert "locations.csv:2 latitude: '100' is not a valid latitude (from -90 to 90); left out" in warnings
    assert "parent_organization_id cd09a387-91f4-4555-94ec-e799c35344cd is neither" in warnings
    assert "metadata.csv: 1 row(s) not imported" in warnings
    async with pool.acquire() as conn:
        [service] = await get_services(conn, [uuid.UUID(SERVICE)])
    document = rows(EXAMPLE, "required_documents.csv")[0]["document"]
    assert len(document) > 200 and service.required_documents == [document]
    assert service.description.startswith("Counselling Services") and service.min_age == 12
    assert "+44 1234 234567" in [c.value for c in service.contacts]  # written quoted in the file


async def test_the_official_example_goes_back_out_whole_and_round_trips(pool: asyncpg.Pool, tmp_path: Path) -> None:
    await load(pool, example(tmp_path))
    first = tmp_path / "first"
    await export(pool, first)  # validated, as every export of the tests
    for name in ("cost_options.csv", "funding.csv", "programs.csv", "organization_identifiers.csv"):
        theirs, ours = rows(EXAMPLE, name), rows(first, name)
        assert len(ours) == 1, name
        for column, value in theirs[0].items():
            assert value == ours[0][column] or float(value) == float(ours[0][column]), (name, column)
    service = rows(first, "services.csv")[0]
    original = rows(EXAMPLE, "services.csv")[0]
    for column in ("program_id", "url", "email", "interpretation_services", "fees_description", "accreditations"):
        assert service[column] == original[column], column
    assert rows(first, "organizations.csv")[0]["tax_id"] == "tax_id"

    await empty(pool)
    again = await load(pool, first)
    assert (again.services_created, again.rejected) == (1, [])
    second = tmp_path / "second"
    await export(pool, second)
    for name in sorted(p.name for p in first.iterdir()):
        assert (second / name).read_bytes() == (first / name).read_bytes(), name


async def test_files_as_other_tools_write_them_import(pool: asyncpg.Pool, tmp_path: Path) -> None:
    """A byte-order mark, CRLF line ends, columns in another order and a column HSDS does not have."""
    folder = example(tmp_path)
    table = rows(folder, "services.csv")
    columns = [*reversed(list(table[0])), "internal_note"]
    with (folder / "services.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(row | {"internal_note": "x"} for row in table)
    locations = rows(folder, "locations.csv")
    with (folder / "locations.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*locations[0], "colour"], lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(row | {"colour": "red"} for row in locations)

    report = await load(pool, folder)

    assert (report.services_created, report.rejected) == (1, [])
    extra = [w for w in report.warnings if w.what == "columns not in HSDS"]
    assert [w.reasons for w in extra] == [["ignored: services.csv: internal_note; locations.csv: colour"]]
    async with pool.acquire() as conn:
        [service] = await get_services(conn, [uuid.UUID(SERVICE)])
    assert service.name == "Community Counselling" and service.organization_id == uuid.UUID(ORGANIZATION)
