"""``export-hsds`` / ``import-hsds`` on real PostgreSQL: the demo directory goes out as a valid HSDS
data package and comes back into an empty database exactly; bad rows are reported and leave their
listing out whole; a failure while writing leaves nothing behind; the public export keeps secrets."""

from __future__ import annotations

import csv
import gc
import shutil
import uuid
from collections import Counter
from pathlib import Path

import asyncpg
import frictionless  # type: ignore[import-untyped]
import httpx
import pytest
from litestar import Litestar

from service.directory.hsds import importer
from service.directory.hsds import package as hsds_package
from service.directory.hsds import staging as hsds_staging
from service.directory.hsds.exporter import ExportReport, export_package
from service.directory.hsds.importer import ImportReport, import_package
from service.directory.listings import tracked_view
from service.directory.repo import get_services

OFFICIAL = Path(__file__).resolve().parents[3] / "data" / "hsds" / "datapackage.json"


class Quiet:
    """Progress that shows nothing (the CLI shows rich bars)."""

    def stage(self, description: str, total: int | None) -> None:
        pass

    def advance(self, count: int) -> None:
        pass


def assert_valid(folder: Path) -> None:
    """The package in ``folder`` passes ``frictionless validate`` against its own descriptor
    (types, required fields, unique ids, foreign keys)."""
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, [(task.name, error.message) for task in report.tasks for error in task.errors][:10]


async def export(pool: asyncpg.Pool, folder: Path, include_restricted: bool = True) -> ExportReport:
    """Export, and check the package as any reader would: every export a test makes is validated."""
    report = await export_package(pool, folder, include_restricted=include_restricted, progress=Quiet())
    assert_valid(folder)
    return report


async def load(pool: asyncpg.Pool, folder: Path, dry_run: bool = False) -> ImportReport:
    return await import_package(pool, folder, dry_run=dry_run, progress=Quiet())


@pytest.fixture(scope="module")
async def demo_package(demo_app: Litestar, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hsds") / "demo"
    report = await export(demo_app.state.pool, folder)
    assert report.services == 321 and report.organizations > 200
    return folder


def copy_of(package: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(package, tmp_path / "package"))


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def rewrite(folder: Path, name: str, table: list[dict[str, str]]) -> None:
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)


async def count(pool: asyncpg.Pool, table: str) -> int:
    async with pool.acquire() as conn:
        return int(await conn.fetchval(f"SELECT count(*) FROM {table}"))


async def test_round_trip_into_an_empty_directory_reproduces_it(
    pool: asyncpg.Pool, demo_app: Litestar, demo_package: Path, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    report = await load(pool, demo_package)
    assert (report.services_created, report.services_updated, report.rejected) == (321, 0, [])
    assert report.organizations_created == len(rows(demo_package, "organizations.csv"))
    # our own export holds nothing but what our columns do: nothing kept that could hide a later edit
    assert await count(pool, "hsds_kept") == 0

    again = await export(pool, tmp_path / "again")
    for name in again.files:
        assert (tmp_path / "again" / name).read_bytes() == (demo_package / name).read_bytes(), name

    async with demo_app.state.pool.acquire() as source, pool.acquire() as target:
        ids = [r["id"] for r in await source.fetch("SELECT id FROM service ORDER BY id")]
        originals, copies = await get_services(source, ids), await get_services(target, ids)
    for original, copy in zip(originals, copies, strict=True):
        expected = tracked_view(original) | {"verified_by": None}  # accounts do not travel
        assert tracked_view(copy) == expected
        assert (copy.last_verified_at, copy.updated_at) == (original.last_verified_at, original.updated_at)

    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as demo_client:
        for query in ("q=binh yen", "category=shelter", "province=Sóc Trăng&per_page=50", "q=duong day nong"):
            theirs = (await demo_client.get(f"/api/v1/services?{query}")).json()
            ours = (await client.get(f"/api/v1/services?{query}")).json()
            assert [i["id"] for i in ours["items"]] == [i["id"] for i in theirs["items"]], query
            assert (ours["total"], ours["facets"]) == (theirs["total"], theirs["facets"]), query


async def test_the_package_is_a_valid_hsds_3_data_package(demo_package: Path, tmp_path: Path) -> None:
    folder = copy_of(demo_package, tmp_path)
    shutil.copy(OFFICIAL, folder / "official.json")
    report = frictionless.validate(str(folder / "official.json"))
    errors = Counter(
        (task.name, error.type, getattr(error, "field_name", None)) for task in report.tasks for error in task.errors
    )
    # Only what the Kết Nối profile documents: no postal codes, blank communes and descriptions.
    allowed = {(table, "constraint-error", field) for table, field in hsds_package.RELAXED}
    assert set(errors) <= allowed, errors
    ours = hsds_package.descriptor()
    official = hsds_package.official_descriptor()
    names = [r["name"] for r in ours["resources"]]
    assert names == [r["name"] for r in official["resources"]] + ["service_capacity", "unit"]  # HSDS 3.1's
    for mine, theirs in zip(ours["resources"], official["resources"], strict=False):
        for field, reference in zip(mine["schema"]["fields"], theirs["schema"]["fields"], strict=True):
            if (mine["name"], field["name"]) not in hsds_package.RELAXED:
                assert field == reference


async def test_the_public_export_holds_no_staff_listing_and_no_confidential_address(
    demo_app: Litestar, tmp_path: Path
) -> None:
    report = await export(demo_app.state.pool, tmp_path, include_restricted=False)
    async with demo_app.state.pool.acquire() as conn:
        secret_places = await conn.fetch("SELECT street, lat, lon FROM location WHERE confidential AND street <> ''")
        staff_only = await conn.fetch("SELECT id, name FROM service WHERE visibility = 'staff'")
        total = await conn.fetchval("SELECT count(*) FROM service")
    assert secret_places and staff_only
    assert report.services == total - len(staff_only)
    text = "\n".join((tmp_path / name).read_text(encoding="utf-8") for name in report.files)
    points = {(float(r["latitude"]), float(r["longitude"])) for r in rows(tmp_path, "locations.csv") if r["latitude"]}
    for place in secret_places:
        assert place["street"] not in text
        assert (place["lat"], place["lon"]) not in points
    for service in staff_only:
        assert str(service["id"]) not in text


async def test_bad_rows_leave_their_listing_out_whole_and_say_where(
    pool: asyncpg.Pool, demo_package: Path, tmp_path: Path
) -> None:
    folder = copy_of(demo_package, tmp_path)
    services = rows(folder, "services.csv")
    schedules = rows(folder, "schedules.csv")
    others = {service["id"] for service in services[:4]}
    broken = next(schedule for schedule in schedules if schedule["service_id"] not in others)
    broken["opens_at"] = "25:99:00"
    broken_line = schedules.index(broken) + 2
    rewrite(folder, "schedules.csv", schedules)
    services[1]["minimum_age"] = "twelve"
    services[2]["organization_id"] = str(uuid.uuid4())
    services.append(dict(services[3]))  # the same id twice
    rewrite(folder, "services.csv", services)
    attributes = rows(folder, "attributes.csv")
    attributes.append(attributes[0] | {"id": str(uuid.uuid4()), "link_id": str(uuid.uuid4())})
    rewrite(folder, "attributes.csv", attributes)
    programs = [
        {
            "id": str(uuid.uuid4()),
            "organization_id": services[0]["organization_id"],
            "name": "P",
            "alternate_name": "",
            "description": "d",
        }
    ]
    rewrite(folder, "programs.csv", programs)

    report = await load(pool, folder)

    reasons = {rejection.what: rejection.reasons for rejection in report.rejected}
    text = "\n".join(f"{what}: {' '.join(why)}" for what, why in reasons.items())
    warned = "\n".join(f"{w.what}: {' '.join(w.reasons)}" for w in report.warnings)
    # a schedule is optional: one we cannot read is left out with a warning, its listing imported
    assert f"schedules.csv:{broken_line} opens_at: '25:99:00' is not a time of day; the schedule is left out" in warned
    # an optional value that is not its type is left out with a warning, the listing imported
    assert "services.csv:3 minimum_age: 'twelve' is not a valid number; left out" in warned
    assert f"organization_id {services[2]['organization_id']} is neither" in text
    assert f"id {services[3]['id']} appears twice in service" in text
    assert f"attributes.csv:{len(attributes) + 1}" in warned
    assert "program" not in text + warned  # programs are kept
    rejected_ids = {services[2]["id"]}
    assert report.services_created == 321 - len(rejected_ids)
    async with pool.acquire() as conn:
        present = await conn.fetch("SELECT id::text FROM service WHERE id = ANY($1::uuid[])", list(rejected_ids))
        orphans = await conn.fetchval(
            "SELECT count(*) FROM schedule WHERE service_id = ANY($1::uuid[])", list(rejected_ids)
        )
    assert (present, orphans) == ([], 0)


async def test_a_dry_run_reports_and_changes_nothing(pool: asyncpg.Pool, demo_package: Path) -> None:
    report = await load(pool, demo_package, dry_run=True)
    assert (report.dry_run, report.services_created) == (True, 321)
    assert (
        await count(pool, "service") == await count(pool, "organization") == await count(pool, "search_document") == 0
    )


class CollectorWatch(Quiet):
    """Notes, at each progress step of an import, whether Python's cycle collector is on."""

    def __init__(self) -> None:
        self.seen: list[bool] = []

    def advance(self, count: int) -> None:
        self.seen.append(gc.isenabled())


async def test_the_cycle_collector_is_off_while_importing_and_on_again_after_success_dry_run_or_failure(
    pool: asyncpg.Pool, demo_package: Path, tmp_path: Path
) -> None:
    """The import pauses the collector for its speed (bench/README.md); a process that goes on after
    it (tests, a future web import) must get it back whatever the import's end."""
    broken = tmp_path / "broken"
    shutil.copytree(demo_package, broken)
    (broken / "datapackage.json").write_text("{not json", encoding="utf-8")
    for folder, dry_run in ((demo_package, True), (broken, False), (demo_package, False)):
        watch = CollectorWatch()
        try:
            await import_package(pool, folder, dry_run=dry_run, progress=watch)
        except hsds_package.PackageError:
            assert folder == broken
        assert gc.isenabled(), folder
        assert folder == broken or (watch.seen and not any(watch.seen))


async def test_a_failure_while_writing_leaves_nothing_behind(pool: asyncpg.Pool, demo_package: Path) -> None:
    victim = rows(demo_package, "services.csv")[-1]["id"]
    async with pool.acquire() as conn:
        await conn.execute(
            "CREATE FUNCTION refuse_victim() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" IF NEW.service_id = '{victim}' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$"
        )
        await conn.execute(
            "CREATE TRIGGER refuse_victim BEFORE INSERT ON search_document"
            " FOR EACH ROW EXECUTE FUNCTION refuse_victim()"
        )
    try:
        with pytest.raises(asyncpg.RaiseError, match="disk full"):
            await load(pool, demo_package)
    finally:
        async with pool.acquire() as conn:
            await conn.execute("DROP TRIGGER refuse_victim ON search_document; DROP FUNCTION refuse_victim()")
    for table in ("organization", "service", "location", "contact_point", "service_revision", "search_document"):
        assert await count(pool, table) == 0, table


async def test_importing_again_updates_what_changed_and_records_it(
    pool: asyncpg.Pool, demo_package: Path, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    await load(pool, demo_package)
    folder = copy_of(demo_package, tmp_path)
    services = rows(folder, "services.csv")
    target = services[5]
    old_name, target["name"] = target["name"], "Nhà Bình An Thử Nghiệm"
    rewrite(folder, "services.csv", services)

    report = await load(pool, folder)

    assert (report.services_created, report.services_updated, report.services_unchanged) == (0, 1, 320)
    async with pool.acquire() as conn:
        revisions = await conn.fetch(
            "SELECT version, action, changes FROM service_revision WHERE service_id = $1 ORDER BY id",
            uuid.UUID(target["id"]),
        )
    assert [(r["version"], r["action"]) for r in revisions] == [(1, "import"), (2, "import")]
    assert revisions[1]["changes"] == {"name": [old_name, "Nhà Bình An Thử Nghiệm"]}
    found = (await client.get("/api/v1/services", params={"q": "binh an thu nghiem"})).json()
    assert [item["id"] for item in found["items"]] == [target["id"]]


async def test_a_folder_without_services_is_refused(pool: asyncpg.Pool, tmp_path: Path) -> None:
    with pytest.raises(hsds_package.PackageError, match=r"services\.csv"):
        await load(pool, tmp_path)


def write_table(folder: Path, name: str, header: list[str], table: list[list[str]]) -> None:
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(table)


async def test_a_small_package_from_another_publisher_imports_with_what_it_has(
    pool: asyncpg.Pool, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    """No attributes, taxonomy, schedules or languages; phones without ``contact_id``: a listing
    still takes its province from its address and its phone from the phones table."""
    organization, shelter, hotline, place = (str(uuid.uuid4()) for _ in range(4))
    write_table(tmp_path, "organizations.csv", ["id", "name", "description"], [[organization, "Hội LHPN Đà Nẵng", ""]])
    write_table(
        tmp_path,
        "services.csv",
        ["id", "organization_id", "name", "description", "status"],
        [
            [shelter, organization, "Địa chỉ tin cậy Hải Châu", "Nơi tạm lánh cho phụ nữ", "active"],
            [hotline, organization, "Đường dây nóng Đà Nẵng", "Tư vấn qua điện thoại", "temporarily closed"],
        ],
    )
    write_table(
        tmp_path, "locations.csv", ["id", "name", "latitude", "longitude"], [[place, "Hải Châu", "16.06", "108.22"]]
    )
    write_table(
        tmp_path, "service_at_location.csv", ["id", "service_id", "location_id"], [[str(uuid.uuid4()), shelter, place]]
    )
    write_table(
        tmp_path,
        "addresses.csv",
        ["id", "location_id", "address_1", "city", "state_province", "country"],
        [[str(uuid.uuid4()), place, "12 Lê Duẩn", "Hải Châu", "Đà Nẵng", "VN"]],
    )
    write_table(tmp_path, "phones.csv", ["id", "service_id", "number"], [[str(uuid.uuid4()), hotline, "0236 3888 111"]])

    report = await load(pool, tmp_path)

    assert (report.organizations_created, report.services_created, report.rejected) == (1, 2, [])
    async with pool.acquire() as conn:
        listings = {s.id: s for s in await get_services(conn, [uuid.UUID(shelter), uuid.UUID(hotline)])}
    with_place, with_phone = listings[uuid.UUID(shelter)], listings[uuid.UUID(hotline)]
    assert [(p.street, p.lat, p.lon) for p in with_place.locations] == [("12 Lê Duẩn", 16.06, 108.22)]
    assert (with_place.contacts, with_place.schedules, with_place.categories) == ([], [], [])
    assert [(c.kind.value, c.value) for c in with_phone.contacts] == [("phone", "0236 3888 111")]
    assert (with_phone.status.value, with_phone.locations) == ("temporarily_closed", [])
    found = (await client.get("/api/v1/services", params={"q": "dia chi tin cay hai chau"})).json()
    assert [item["id"] for item in found["items"]] == [shelter]


async def test_autovacuum_cannot_record_the_tables_empty_while_an_import_fills_them(
    pool: asyncpg.Pool, demo_package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Autovacuum counts none of an import's uncommitted rows: analyzing mid-import it would record
    the listing tables as empty, and every foreign-key check after that scans them whole (a 100k
    import into an emptied directory went from ~3 to ~14 minutes). After its first chunk the
    import analyzes them itself, counting its rows, and holds them until it commits."""
    monkeypatch.setattr(hsds_staging, "CHUNK", 100)
    write = importer._write_services
    seen: list[tuple[str, float]] = []

    async def watched(conn: asyncpg.Connection, *args: object) -> tuple[int, int, int]:
        if seen or await conn.fetchval("SELECT count(*) FROM service"):  # a chunk is already written
            async with pool.acquire() as outside:
                await outside.execute("SET lock_timeout = '200ms'")
                try:
                    await outside.execute("ANALYZE service, schedule, location")  # what autovacuum would do
                    outcome = "analyzed"
                except asyncpg.LockNotAvailableError:
                    outcome = "kept out"
            estimate = await conn.fetchval("SELECT reltuples FROM pg_class WHERE relname = 'service'")
            seen.append((outcome, estimate))
        return await write(conn, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "_write_services", watched)
    report = await load(pool, demo_package)

    assert report.services_created == 321
    assert len(seen) == 3  # 321 listings, 100 a chunk: the 2nd, 3rd and 4th chunks found the first written
    assert all(outcome == "kept out" for outcome, _ in seen), seen
    assert all(estimate >= 100 for _, estimate in seen), seen  # the planner counts the import's rows


async def test_listings_of_every_chunk_are_checked_in_file_order_and_named_organizations_found(
    pool: asyncpg.Pool, demo_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each chunk is checked in a worker thread while the one before it is written: rejections
    still come in file order, and a listing whose organization is only in the directory (not in
    the package) finds it, whichever chunk it is in."""
    await load(pool, demo_package)
    monkeypatch.setattr(hsds_staging, "CHUNK", 100)
    folder = copy_of(demo_package, tmp_path)
    services = rows(folder, "services.csv")
    services[10]["status"] = "closed for good"  # first chunk
    services[250]["organization_id"] = str(uuid.uuid4())  # third chunk
    renamed = services[300]  # fourth chunk, its organization left out of the package
    renamed["name"] = "Nhà Tạm Lánh Khánh Hòa Thử Nghiệm"
    rewrite(folder, "services.csv", services)
    organizations = rows(folder, "organizations.csv")
    rewrite(folder, "organizations.csv", [o for o in organizations if o["id"] != renamed["organization_id"]])

    report = await load(pool, folder)

    listings = [r for r in report.rejected if any(f"({s['id']})" in r.what for s in services)]
    assert [r.what.rsplit("(", 1)[1].rstrip(")") for r in listings] == [services[10]["id"], services[250]["id"]]
    assert (report.services_created, report.services_updated, report.services_unchanged) == (0, 1, 318)
    async with pool.acquire() as conn:
        name = await conn.fetchval("SELECT name FROM service WHERE id = $1", uuid.UUID(renamed["id"]))
    assert name == renamed["name"]
