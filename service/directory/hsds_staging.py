"""SQL for reading an HSDS data package: each CSV file copied as it is into a temporary table
(PostgreSQL parses CSV with COPY, and holds the rows instead of the service's memory), rows that
belong nowhere found with a query, then services and organizations read back a chunk at a time with
every row that hangs under them.

Column names come from the files' headers but reach SQL only when they are HSDS field names;
other columns are staged as ``extra_N`` and never read. Table names come from the descriptor.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from service.db import Connection
from service.directory.hsds_package import (
    UNMODELLED,
    PackageError,
    Rejection,
    Row,
    fields_by_table,
    official_descriptor,
    parse_cell,
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
    "attribute": [
        ("link_id", "service", "id"),
        ("link_id", "organization", "id"),
        ("link_id", "contact", "id"),
        ("link_id", "phone", "id"),
        ("link_id", "location", "id"),
    ],
}
_INDEXED = ("id", "service_id", "organization_id", "contact_id", "phone_id", "location_id", "link_id")


class Staged(msgspec.Struct):
    """The package's tables now in temporary tables: file name and the HSDS columns each has."""

    files: dict[str, str]
    columns: dict[str, list[str]]

    def has(self, table: str, column: str = "id") -> bool:
        return column in self.columns.get(table, [])


def _name(table: str) -> str:
    return f"staged_hsds_{table}"


def _paths(folder: Path) -> dict[str, str]:
    paths = {r["name"]: r["path"] for r in official_descriptor()["resources"]}
    described = folder / "datapackage.json"
    if described.exists():
        try:
            theirs = json.loads(described.read_text("utf-8"))
            paths |= {r["name"]: r["path"] for r in theirs.get("resources", []) if "name" in r and "path" in r}
        except (ValueError, AttributeError, TypeError) as exc:
            raise PackageError(f"datapackage.json: {exc}") from exc
    if not (folder / paths["service"]).is_file():
        raise PackageError(f"{folder}: no {paths['service']}")
    return {table: path for table, path in paths.items() if table in fields_by_table() and (folder / path).is_file()}


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PackageError(f"{path.name}: {exc}") from exc


async def stage(conn: Connection, folder: Path) -> Staged:
    """COPY every table of the package into its temporary table (inside the caller's transaction)."""
    staged = Staged(files={}, columns={})
    for table, path in _paths(folder).items():
        header = _header(folder / path)
        known = set(fields_by_table()[table])
        if "id" not in header:
            raise PackageError(f"{path}: no id column")
        if len(set(header)) != len(header):
            raise PackageError(f"{path}: a column name appears twice in the header")
        columns = [name if name in known else f"extra_{index}" for index, name in enumerate(header)]
        quoted = [f'"{column}"' for column in columns]
        await conn.execute(
            f"CREATE TEMP TABLE {_name(table)} (line bigserial, {', '.join(f'{q} text' for q in quoted)})"
            " ON COMMIT DROP"
        )
        try:
            await conn.copy_to_table(
                _name(table), source=folder / path, columns=columns, format="csv", header=True, encoding="utf8"
            )
        except (asyncpg.DataError, asyncpg.BadCopyFileFormatError) as exc:
            raise PackageError(f"{path}: {exc}") from exc
        staged.files[table] = Path(path).name
        staged.columns[table] = [column for column in columns if column in known]
        for column in _INDEXED:
            if column in staged.columns[table]:
                await conn.execute(f'CREATE INDEX ON {_name(table)} ("{column}")')
        await conn.execute(f"ANALYZE {_name(table)}")
    return staged


async def rejections(conn: Connection, staged: Staged) -> list[Rejection]:
    """Rows without an id, repeated ids (the later ones are dropped), rows belonging to nothing in
    the package, and tables Kết Nối keeps nothing of."""
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


async def _fetch(conn: Connection, staged: Staged, table: str, column: str, values: Iterable[str]) -> list[Row]:
    wanted = [value for value in values if value]
    if not wanted or not staged.has(table, column):
        return []
    columns = staged.columns[table]
    records = await conn.fetch(
        f"SELECT line, {', '.join(_quoted(columns))} FROM {_name(table)}"
        f' WHERE "{column}" = ANY($1::text[]) ORDER BY line',
        wanted,
    )
    return [_row(staged, table, record) for record in records]


def _quoted(columns: Iterable[str]) -> list[str]:
    return [f'"{column}"' for column in columns]


def _row(staged: Staged, table: str, record: asyncpg.Record) -> Row:
    fields = fields_by_table()[table]
    file, line = staged.files[table], record["line"] + 1
    values: dict[str, Any] = {}
    problems: list[str] = []
    for column in staged.columns[table]:
        text = record[column]
        if text is None or not (text := text.strip()):
            continue  # blank: most cells of most tables
        field = fields[column]
        if field["type"] == "string" and "format" not in field:
            values[column] = text  # plain text, most of the rest: nothing to check
            continue
        try:
            values[column] = parse_cell(field, text)
        except ValueError:  # kept as written, so the row still links to its record and rejects it
            values[column] = text
            kind = field.get("format") or field["type"]
            problems.append(f"{file}:{line} {column}: {text!r} is not a valid {kind}")
    return Row(values=values, file=file, line=line, problems=problems)


def _ids(rows: Iterable[Row], column: str = "id") -> list[str]:
    return [str(row.values[column]) for row in rows if row.values.get(column)]


def _merged(*groups: list[Row]) -> list[Row]:
    seen: dict[int, Row] = {}
    for row in (row for group in groups for row in group):
        seen.setdefault(row.line, row)
    return [seen[line] for line in sorted(seen)]


async def _children(conn: Connection, staged: Staged, owner: str, owners: list[Row]) -> dict[str, list[Row]]:
    """Every row hanging under ``owners`` (services or organizations), by table."""
    ids = _ids(owners)
    key = f"{owner}_id"
    tables: dict[str, list[Row]] = {owner: owners}
    tables["contact"] = await _fetch(conn, staged, "contact", key, ids)
    contact_ids = _ids(tables["contact"])
    tables["phone"] = _merged(
        await _fetch(conn, staged, "phone", key, ids), await _fetch(conn, staged, "phone", "contact_id", contact_ids)
    )
    phone_ids = _ids(tables["phone"])
    tables["language"] = _merged(
        await _fetch(conn, staged, "language", key, ids), await _fetch(conn, staged, "language", "phone_id", phone_ids)
    )
    location_ids: list[str] = []
    if owner == "service":
        for table in ("schedule", "service_area", "required_document", "service_at_location"):
            tables[table] = await _fetch(conn, staged, table, "service_id", ids)
        location_ids = _ids(tables["service_at_location"], "location_id")
        tables["location"] = await _fetch(conn, staged, "location", "id", location_ids)
        for table in ("address", "accessibility"):
            tables[table] = await _fetch(conn, staged, table, "location_id", location_ids)
    linked = [*ids, *contact_ids, *phone_ids, *location_ids]
    tables["attribute"] = await _fetch(conn, staged, "attribute", "link_id", linked)
    term_ids = set(_ids(tables["attribute"], "taxonomy_term_id"))
    tables["taxonomy_term"] = await _fetch(conn, staged, "taxonomy_term", "id", term_ids)
    return tables


async def count(conn: Connection, staged: Staged, table: str) -> int:
    if table not in staged.files:
        return 0
    return int(await conn.fetchval(f"SELECT count(*) FROM {_name(table)}"))


async def chunks(conn: Connection, staged: Staged, owner: str) -> AsyncIterator[dict[str, list[Row]]]:
    """``owner`` rows (``service`` or ``organization``) in file order, ``CHUNK`` at a time, each chunk
    with the rows of every table that hang under them."""
    if owner not in staged.files:
        return
    columns = ", ".join(_quoted(staged.columns[owner]))
    last = 0
    while True:
        records = await conn.fetch(
            f"SELECT line, {columns} FROM {_name(owner)} WHERE line > $1 ORDER BY line LIMIT $2", last, CHUNK
        )
        if not records:
            return
        last = records[-1]["line"]
        yield await _children(conn, staged, owner, [_row(staged, owner, record) for record in records])
