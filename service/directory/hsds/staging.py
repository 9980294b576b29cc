"""SQL for reading an HSDS data package: each CSV file copied as it is into a temporary table
(PostgreSQL parses CSV with COPY, and holds the rows instead of the service's memory), rows that
belong nowhere found with a query, then services and organizations read back a chunk at a time:
each table's rows under the chunk fetched with one indexed query and nested in Python into one
record per service or organization.

Column names come from the files' headers but reach SQL only when they are HSDS field names;
other columns are staged as ``extra_N`` and never read. Table names come from the descriptor.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import msgspec

from service.db import Connection, identifier
from service.directory.hsds.nesting import Notes, Row, Under, nest
from service.directory.hsds.package import (
    UNMODELLED,
    PackageError,
    Rejection,
    descriptor,
    fields_by_table,
)

CHUNK = 2000
# Where each table's rows hang: (column, parent table, parent column) — any one link will do.
LINKS: dict[str, list[tuple[str, str, str]]] = {
    "contact": [("service_id", "service", "id"), ("organization_id", "organization", "id")],
    "phone": [
        ("service_id", "service", "id"),
        ("organization_id", "organization", "id"),
        ("contact_id", "contact", "id"),
    ],
    "language": [("service_id", "service", "id"), ("phone_id", "phone", "id")],
    "schedule": [("service_id", "service", "id")],
    "service_area": [("service_id", "service", "id")],
    "required_document": [("service_id", "service", "id")],
    "service_at_location": [("service_id", "service", "id")],
    "location": [("id", "service_at_location", "location_id")],
    "address": [("location_id", "location", "id")],
    "accessibility": [("location_id", "location", "id")],
    "cost_option": [("service_id", "service", "id")],
    "funding": [("service_id", "service", "id"), ("organization_id", "organization", "id")],
    "program": [("organization_id", "organization", "id")],
    "organization_identifier": [("organization_id", "organization", "id")],
    "service_capacity": [("service_id", "service", "id")],
    "unit": [("id", "service_capacity", "unit_id")],
    "attribute": [
        ("link_id", "service", "id"),
        ("link_id", "organization", "id"),
        ("link_id", "contact", "id"),
        ("link_id", "phone", "id"),
        ("link_id", "location", "id"),
    ],
}
# Cells are compared only for equality (ids) and sorted only to build indexes: the "C" collation
# makes both byte comparisons, several times cheaper than the database's own collation.
_CELL = 'text COLLATE "C"'
_INDEXED = ("id", "service_id", "organization_id", "contact_id", "phone_id", "location_id", "link_id")


class Staged(msgspec.Struct):
    """The package's tables now in temporary tables: file name and the HSDS columns each has."""

    files: dict[str, str]
    columns: dict[str, list[str]]
    extra: dict[str, list[str]]  # columns of each file that are not HSDS fields: ignored

    def has(self, table: str, column: str = "id") -> bool:
        return column in self.columns.get(table, [])


def _name(table: str) -> str:
    """The temporary table holding one HSDS table; only the descriptor's table names get one."""
    if table not in fields_by_table():
        raise ValueError(f"not an HSDS table: {table!r}")
    return identifier(f"staged_hsds_{table}")


def _inside(folder: Path, path: Path) -> None:
    """Refuse a file outside ``folder`` (absolute, through ``..`` or a symbolic link): a package
    names its own files, and reading any other file of the importing machine into the directory
    could publish it."""
    if not path.resolve().is_relative_to(folder.resolve()):
        raise PackageError(f"{path}: outside the package folder {folder}; a package may name only its own files")


def _paths(folder: Path) -> dict[str, str]:
    paths = {r["name"]: r["path"] for r in descriptor()["resources"]}
    described = folder / "datapackage.json"
    if described.exists():
        _inside(folder, described)
        try:
            theirs = json.loads(described.read_text("utf-8"))
            paths |= {r["name"]: r["path"] for r in theirs.get("resources", []) if "name" in r and "path" in r}
        except (ValueError, AttributeError, TypeError) as exc:
            raise PackageError(f"datapackage.json: {exc}") from exc
    paths = {table: path for table, path in paths.items() if table in fields_by_table()}
    for table, path in paths.items():
        if not isinstance(path, str):
            raise PackageError(f"datapackage.json: the path of {table} is not one file name")
        _inside(folder, folder / path)
    if not (folder / paths["service"]).is_file():
        raise PackageError(f"{folder}: no {paths['service']}")
    return {table: path for table, path in paths.items() if (folder / path).is_file()}


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PackageError(f"{path.name}: {exc}") from exc


async def stage(conn: Connection, folder: Path) -> Staged:
    """COPY every table of the package into its temporary table (inside the caller's transaction)."""
    staged = Staged(files={}, columns={}, extra={})
    for table, path in _paths(folder).items():
        header = _header(folder / path)
        known = set(fields_by_table()[table])
        if "id" not in header:
            raise PackageError(f"{path}: no id column")
        if len(set(header)) != len(header):
            raise PackageError(f"{path}: a column name appears twice in the header")
        # quoted as well as checked: some HSDS field names (interval, count) are SQL key words
        columns = [identifier(name if name in known else f"extra_{index}") for index, name in enumerate(header)]
        quoted = [f'"{column}"' for column in columns]
        # only the tables read a chunk at a time in file order need ``line`` indexed
        line = "bigserial PRIMARY KEY" if table in ("service", "organization") else "bigserial"
        cells = ", ".join(f"{column} {_CELL}" for column in quoted)
        await conn.execute(f"CREATE TEMP TABLE {_name(table)} (line {line}, {cells}) ON COMMIT DROP")
        try:
            await conn.copy_to_table(
                _name(table), source=folder / path, columns=columns, format="csv", header=True, encoding="utf8"
            )
        except (asyncpg.DataError, asyncpg.BadCopyFileFormatError) as exc:
            raise PackageError(f"{path}: {exc}") from exc
        staged.files[table] = Path(path).name
        staged.columns[table] = [column for column in columns if column in known]
        if unknown := [name for name in header if name not in known]:
            staged.extra[Path(path).name] = unknown
        for column in _INDEXED:
            if column in staged.columns[table]:
                await conn.execute(f'CREATE INDEX ON {_name(table)} ("{column}")')
        await conn.execute(f"ANALYZE {_name(table)}")
    return staged


async def rejections(conn: Connection, staged: Staged) -> list[Rejection]:
    """Rows without an id and repeated ids (the later ones are dropped)."""
    found: list[Rejection] = []
    for table, file in staged.files.items():
        name = _name(table)
        for row in await conn.fetch(f"DELETE FROM {name} WHERE id IS NULL OR id = '' RETURNING line"):
            found.append(Rejection(f"{file}:{row['line'] + 1}", ["no id"]))
        repeated = await conn.fetch(
            f"DELETE FROM {name} s USING {name} d WHERE d.id = s.id AND d.line < s.line RETURNING s.line, s.id"
        )
        for row in repeated:
            found.append(Rejection(f"{file}:{row['line'] + 1}", [f"id {row['id']} appears twice in {table}"]))
    return found


async def warnings(conn: Connection, staged: Staged) -> list[Rejection]:
    """Rows left out that keep no record out: of tables Kết Nối keeps nothing of, and rows that
    belong to nothing in the package."""
    found: list[Rejection] = []
    if staged.extra:
        listed = "; ".join(f"{file}: {', '.join(columns)}" for file, columns in staged.extra.items())
        found.append(Rejection("columns not in HSDS", [f"ignored: {listed}"]))
    for table in UNMODELLED:
        if table in staged.files:
            rows = await conn.fetchval(f"SELECT count(*) FROM {_name(table)}")
            if rows:
                found.append(Rejection(staged.files[table], [f"{rows} row(s) not imported: Kết Nối keeps no {table}"]))
    for table, links in LINKS.items():
        if table not in staged.files:
            continue
        tests = [
            f'EXISTS (SELECT 1 FROM {_name(parent)} p WHERE p."{parent_column}" = c."{column}")'
            for column, parent, parent_column in links
            if staged.has(table, column) and staged.has(parent, parent_column)
        ]
        condition = " OR ".join(tests) or "false"
        for row in await conn.fetch(f"SELECT line FROM {_name(table)} c WHERE NOT ({condition}) ORDER BY line"):
            where = f"{staged.files[table]}:{row['line'] + 1}"
            found.append(Rejection(where, [f"belongs to no service or organization in this package ({table})"]))
    return found


class _Rows:
    """Staged rows fetched a table at a time by the keys they hang on: an index scan each."""

    def __init__(self, conn: Connection, staged: Staged) -> None:
        self.conn = conn
        self.staged = staged

    async def after(self, table: str, line: int) -> list[asyncpg.Record]:
        """Up to ``CHUNK`` rows of ``table`` after ``line``, in file order."""
        return await self.conn.fetch(
            f"SELECT {self._selected(table)} WHERE line > $1 ORDER BY line LIMIT $2", line, CHUNK
        )

    async def under(self, table: str, column: str, keys: Iterable[str | None], *, unlinked: str = "") -> Under:
        """``table``'s rows whose ``column`` is one of ``keys`` (and, if it has the column
        ``unlinked``, whose ``unlinked`` is blank), in file order."""
        wanted = list(dict.fromkeys(key for key in keys if key is not None))
        if table not in self.staged.files or not wanted or not self.staged.has(table, column):
            return Under(table, column, [])
        blank = f' AND "{unlinked}" IS NULL' if unlinked and self.staged.has(table, unlinked) else ""
        rows = await self.conn.fetch(
            f'SELECT {self._selected(table)} WHERE "{column}" = ANY($1::text[]){blank} ORDER BY line', wanted
        )
        return Under(table, column, rows)

    def _selected(self, table: str) -> str:
        columns = ", ".join(f'"{column}"' for column in ("line", *self.staged.columns[table]))
        return f"{columns} FROM {_name(table)}"


@dataclass(frozen=True)
class Fetched:
    """One chunk of ``owner`` rows as fetched, with the rows of every table under them, by name.
    Nesting and checking them is ``records`` (``nesting``): pure Python, so it can run in a thread
    while the connection does something else."""

    owner: str
    files: dict[str, str]
    heads: list[asyncpg.Record]
    under: dict[str, Under]

    @property
    def last_line(self) -> int:
        return int(self.heads[-1]["line"])

    def records(self) -> list[tuple[Row, Notes]]:
        """Each record fully nested, its cells held to their HSDS types, with the problems and
        warnings of every row in it."""
        return nest(self.owner, self.files, self.heads, self.under)


async def fetch(conn: Connection, staged: Staged, owner: str, line: int) -> Fetched | None:
    """The chunk of ``owner`` records after ``line`` and every row under them, or None at the end."""
    rows = _Rows(conn, staged)
    heads = await rows.after(owner, line)
    if not heads:
        return None
    ids = [head["id"] for head in heads]
    under = {
        "contacts": await rows.under("contact", f"{owner}_id", ids),
        "phones": await rows.under("phone", f"{owner}_id", ids),
    }
    under["contact_phones"] = await rows.under("phone", "contact_id", under["contacts"].ids())
    phone_ids = under["phones"].ids() + under["contact_phones"].ids()
    under["phone_languages"] = await rows.under("language", "phone_id", phone_ids)
    location_ids: list[str] = []
    if owner == "service":
        under["places"] = await rows.under("service_at_location", "service_id", ids)
        under["locations"] = await rows.under("location", "id", under["places"].ids("location_id"))
        location_ids = under["locations"].ids()
        under["addresses"] = await rows.under("address", "location_id", location_ids)
        under["accessibility"] = await rows.under("accessibility", "location_id", location_ids)
        under["schedules"] = await rows.under("schedule", "service_id", ids)
        under["areas"] = await rows.under("service_area", "service_id", ids)
        under["documents"] = await rows.under("required_document", "service_id", ids)
        under["languages"] = await rows.under("language", "service_id", ids, unlinked="phone_id")
        under["cost_options"] = await rows.under("cost_option", "service_id", ids)
        under["funding"] = await rows.under("funding", "service_id", ids)
        under["capacities"] = await rows.under("service_capacity", "service_id", ids)
        under["units"] = await rows.under("unit", "id", under["capacities"].ids("unit_id"))
    else:
        under["programs"] = await rows.under("program", "organization_id", ids)
        under["funding"] = await rows.under("funding", "organization_id", ids, unlinked="service_id")
        under["identifiers"] = await rows.under("organization_identifier", "organization_id", ids)
    linked = [*ids, *under["contacts"].ids(), *phone_ids, *location_ids]
    under["attributes"] = await rows.under("attribute", "link_id", linked)
    if staged.has("attribute", "taxonomy_term_id"):
        under["terms"] = await rows.under("taxonomy_term", "id", under["attributes"].ids("taxonomy_term_id"))
    return Fetched(owner=owner, files=staged.files, heads=heads, under=under)


async def count(conn: Connection, staged: Staged, table: str) -> int:
    if table not in staged.files:
        return 0
    return int(await conn.fetchval(f"SELECT count(*) FROM {_name(table)}"))


async def chunks(conn: Connection, staged: Staged, owner: str) -> AsyncIterator[Fetched]:
    """``owner`` records (``service`` or ``organization``) in file order, ``CHUNK`` at a time."""
    if owner not in staged.files:
        return
    line = 0
    while fetched := await fetch(conn, staged, owner, line):
        line = fetched.last_line
        yield fetched
