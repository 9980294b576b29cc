"""SQL for reading an HSDS data package: each CSV file copied as it is into a temporary table
(PostgreSQL parses CSV with COPY, and holds the rows instead of the service's memory), rows that
belong nowhere found with a query, then services and organizations streamed back through a cursor,
each as one nested json document PostgreSQL assembles, set-based, from every row that hangs under it.

Column names come from the files' headers but reach SQL only when they are HSDS field names;
other columns are staged as ``extra_N`` and never read. Table names come from the descriptor.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from service.db import Connection, identifier
from service.directory.hsds_package import (
    UNMODELLED,
    PackageError,
    Rejection,
    checked,
    fields_by_table,
    official_descriptor,
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
    """The temporary table holding one HSDS table; only the descriptor's table names get one."""
    if table not in fields_by_table():
        raise ValueError(f"not an HSDS table: {table!r}")
    return identifier(f"staged_hsds_{table}")


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
        # quoted as well as checked: some HSDS field names (interval, count) are SQL key words
        columns = [identifier(name if name in known else f"extra_{index}") for index, name in enumerate(header)]
        quoted = [f'"{column}"' for column in columns]
        await conn.execute(
            f"CREATE TEMP TABLE {_name(table)} (line bigserial PRIMARY KEY, {', '.join(f'{q} text' for q in quoted)})"
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


# Grouped once per import: attributes hang under organizations, services, contacts, phones and
# places alike, so both passes (organizations, then services) join this one table.
_ATTRIBUTE_ITEMS = "staged_hsds_attribute_items"


class _Assembly:
    """SQL that builds each service's or organization's nested HSDS record as one json value,
    set-based: each kind of nested row is grouped once by the key it hangs on (``json_agg`` in file
    order, its ``line`` included), and the groups are hash-joined to their parents, so PostgreSQL
    writes each staged row as json once instead of looking up every record's rows one by one.
    Tables or columns the package lacks contribute empty lists."""

    def __init__(self, staged: Staged) -> None:
        self.staged = staged
        self.groups: dict[str, str] = {}  # WITH name → query of (key, items)

    def grouped(
        self, name: str, table: str, key: str, nested: dict[str, tuple[str | None, str]], where: str = ""
    ) -> str | None:
        """``name``, a group of ``table``'s rows by ``key`` each carrying ``nested`` lists; None
        when no row can hang anywhere (the table or the key column is missing)."""
        if not self.staged.has(table, key):
            return None
        if name not in self.groups:
            joins, columns = self.nested(nested, "x")
            self.groups[name] = (
                f'SELECT r."{key}" AS key, json_agg(r ORDER BY r.line) AS items'
                f" FROM (SELECT x.*{columns} FROM {_name(table)} x {joins} {where}) r GROUP BY 1"
            )
        return name

    def nested(self, parts: dict[str, tuple[str | None, str]], alias: str) -> tuple[str, str]:
        """Joins and extra columns that give ``alias``'s rows one list per part: ``key → (group,
        column of alias the group's key matches)``; a part without a group is an empty list."""
        joins, columns = [], ""
        for key, (group, column) in parts.items():
            if group is None:
                columns += f", '[]'::json AS {key}"
            else:
                joined = f"{alias}_{key}"
                joins.append(f'LEFT JOIN {group} {joined} ON {joined}.key = {alias}."{column}"')
                columns += f", coalesce({joined}.items, '[]'::json) AS {key}"
        return " ".join(joins), columns

    def attributes(self) -> str | None:
        return _ATTRIBUTE_ITEMS if self.staged.has("attribute", "link_id") else None

    def attribute_items(self) -> str:
        """The statement that fills ``_ATTRIBUTE_ITEMS``: attributes by ``link_id``, each with its term."""
        term, join = "NULL::json", ""
        if self.staged.has("taxonomy_term") and self.staged.has("attribute", "taxonomy_term_id"):
            term, join = "to_json(t)", f"LEFT JOIN {_name('taxonomy_term')} t ON t.id = x.taxonomy_term_id"
        return (
            f"CREATE TEMP TABLE IF NOT EXISTS {_ATTRIBUTE_ITEMS} ON COMMIT DROP AS"
            " SELECT r.link_id AS key, json_agg(r ORDER BY r.line) AS items"
            f" FROM (SELECT x.*, {term} AS taxonomy_term FROM {_name('attribute')} x {join}) r GROUP BY 1"
        )

    def phones(self, key: str) -> str | None:
        languages = self.grouped("languages_by_phone", "language", "phone_id", {})
        return self.grouped(
            f"phones_by_{key}",
            "phone",
            key,
            {"languages": (languages, "id"), "attributes": (self.attributes(), "id")},
        )

    def contacts(self, key: str) -> str | None:
        return self.grouped(
            f"contacts_by_{key}",
            "contact",
            key,
            {"phones": (self.phones("contact_id"), "id"), "attributes": (self.attributes(), "id")},
        )

    def places(self) -> str | None:
        """Each service's ``service_at_location`` rows, each with its location (or null) nested."""
        if not self.staged.has("service_at_location", "service_id"):
            return None
        location, join = "NULL::json", ""
        if self.staged.has("location") and self.staged.has("service_at_location", "location_id"):
            joins, columns = self.nested(
                {
                    "addresses": (self.grouped("addresses_by_location", "address", "location_id", {}), "id"),
                    "accessibility": (
                        self.grouped("accessibility_by_location", "accessibility", "location_id", {}),
                        "id",
                    ),
                    "attributes": (self.attributes(), "id"),
                },
                "l",
            )
            self.groups["located"] = (
                f"SELECT l.id, (SELECT to_json(r) FROM (SELECT l.*{columns}) r) AS item"
                f" FROM {_name('location')} l {joins}"
            )
            location, join = "located.item", "LEFT JOIN located ON located.id = x.location_id"
        self.groups["places_by_service"] = (
            "SELECT r.service_id AS key, json_agg(r ORDER BY r.line) AS items"
            f" FROM (SELECT x.*, {location} AS location FROM {_name('service_at_location')} x {join}) r GROUP BY 1"
        )
        return "places_by_service"

    def document(self, owner: str) -> str:
        """The SELECT of every ``owner`` record in file order, each as json text."""
        key = f"{owner}_id"
        parts = {
            "contacts": (self.contacts(key), "id"),
            "phones": (self.phones(key), "id"),
            "attributes": (self.attributes(), "id"),
        }
        if owner == "service":
            own_languages = "WHERE x.phone_id IS NULL" if self.staged.has("language", "phone_id") else ""
            parts |= {
                "schedules": (self.grouped("schedules_by_service", "schedule", key, {}), "id"),
                "service_areas": (self.grouped("areas_by_service", "service_area", key, {}), "id"),
                "required_documents": (self.grouped("documents_by_service", "required_document", key, {}), "id"),
                "languages": (self.grouped("languages_by_service", "language", key, {}, own_languages), "id"),
                "service_at_locations": (self.places(), "id"),
            }
        joins, columns = self.nested(parts, "o")
        groups = ", ".join(f"{name} AS ({sql})" for name, sql in self.groups.items())
        return (f"WITH {groups} " if groups else "") + (
            f"SELECT to_json(r)::text AS record FROM (SELECT o.*{columns} FROM {_name(owner)} o {joins}) r"
            " ORDER BY r.line"
        )


async def count(conn: Connection, staged: Staged, table: str) -> int:
    if table not in staged.files:
        return 0
    return int(await conn.fetchval(f"SELECT count(*) FROM {_name(table)}"))


async def chunks(conn: Connection, staged: Staged, owner: str) -> AsyncIterator[list[tuple[dict[str, Any], list[str]]]]:
    """``owner`` records (``service`` or ``organization``) in file order, ``CHUNK`` at a time, each
    fully nested and checked against the HSDS types (with the problems of every row in it)."""
    if owner not in staged.files:
        return
    assembly = _Assembly(staged)
    if assembly.attributes():
        await conn.execute(assembly.attribute_items())
    batch: list[tuple[dict[str, Any], list[str]]] = []
    async for row in conn.cursor(assembly.document(owner), prefetch=CHUNK):
        record = msgspec.json.decode(row["record"])
        batch.append((record, checked(record, owner, staged.files)))
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch
