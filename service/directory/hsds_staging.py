"""SQL for reading an HSDS data package: each CSV file copied as it is into a temporary table
(PostgreSQL parses CSV with COPY, and holds the rows instead of the service's memory), rows that
belong nowhere found with a query, then services and organizations read back a chunk at a time,
each as one nested jsonb document PostgreSQL assembles from every row that hangs under it.

Column names come from the files' headers but reach SQL only when they are HSDS field names;
other columns are staged as ``extra_N`` and never read. Table names come from the descriptor.
"""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator, Callable
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


class _Assembly:
    """SQL that builds each service's or organization's nested HSDS record as one jsonb value from
    the staged rows (each row as ``to_jsonb``, its ``line`` included), so PostgreSQL does the
    joining and Python decodes one document per record. Tables or columns the package lacks
    contribute nothing."""

    def __init__(self, staged: Staged) -> None:
        self.staged = staged
        self.aliases = 0

    def alias(self) -> str:
        self.aliases += 1
        return f"t{self.aliases}"

    def column(self, table: str, alias: str, column: str) -> str:
        return f'{alias}."{column}"' if self.staged.has(table, column) else "NULL::text"

    def rows(self, table: str, where: Callable[[str], str], extra: dict[str, Callable[[str], str]]) -> str:
        """A jsonb array of ``table``'s rows matching ``where(alias)``, in file order, each with
        ``extra`` keys built from its alias."""
        if table not in self.staged.files:
            return "'[]'::jsonb"
        alias = self.alias()
        item = f"jsonb_strip_nulls(to_jsonb({alias}))"  # blank cells need not travel
        if extra:
            keys = ", ".join(f"'{key}', {build(alias)}" for key, build in extra.items())
            item += f" || jsonb_build_object({keys})"
        return (
            f"coalesce((SELECT jsonb_agg({item} ORDER BY {alias}.line) FROM {_name(table)} {alias}"
            f" WHERE {where(alias)}), '[]'::jsonb)"
        )

    def attributes(self, owner_id: str) -> str:
        def term(alias: str) -> str:
            if "taxonomy_term" not in self.staged.files:
                return "NULL::jsonb"
            inner = self.alias()
            return (
                f"(SELECT jsonb_strip_nulls(to_jsonb({inner})) FROM {_name('taxonomy_term')} {inner}"
                f" WHERE {inner}.id = {self.column('attribute', alias, 'taxonomy_term_id')})"
            )

        return self.rows(
            "attribute", lambda a: f"{self.column('attribute', a, 'link_id')} = {owner_id}", {"taxonomy_term": term}
        )

    def phones(self, where: Callable[[str], str]) -> str:
        return self.rows(
            "phone",
            where,
            {
                "languages": lambda p: self.rows(
                    "language", lambda a: f"{self.column('language', a, 'phone_id')} = {p}.id", {}
                ),
                "attributes": lambda p: self.attributes(f"{p}.id"),
            },
        )

    def contacts(self, owner_column: str, owner: str) -> str:
        return self.rows(
            "contact",
            lambda c: f"{self.column('contact', c, owner_column)} = {owner}.id",
            {
                "phones": lambda c: self.phones(lambda p: f"{self.column('phone', p, 'contact_id')} = {c}.id"),
                "attributes": lambda c: self.attributes(f"{c}.id"),
            },
        )

    def location(self, sal: str) -> str:
        if "location" not in self.staged.files:
            return "NULL::jsonb"
        alias = self.alias()
        parts = {
            "addresses": self.rows("address", lambda a: f"{self.column('address', a, 'location_id')} = {alias}.id", {}),
            "accessibility": self.rows(
                "accessibility", lambda a: f"{self.column('accessibility', a, 'location_id')} = {alias}.id", {}
            ),
            "attributes": self.attributes(f"{alias}.id"),
        }
        keys = ", ".join(f"'{key}', {sql}" for key, sql in parts.items())
        return (
            f"(SELECT jsonb_strip_nulls(to_jsonb({alias})) || jsonb_build_object({keys})"
            f" FROM {_name('location')} {alias}"
            f" WHERE {alias}.id = {self.column('service_at_location', sal, 'location_id')})"
        )

    def under_service(self, table: str) -> Callable[[str], str]:
        return lambda alias: f"{self.column(table, alias, 'service_id')} = o.id"

    def document(self, owner: str) -> str:
        """The SELECT of one page of ``owner`` records (``$1`` the last line read, ``$2`` the size)."""
        key = f"{owner}_id"
        parts = {
            "contacts": self.contacts(key, "o"),
            "phones": self.phones(lambda p: f"{self.column('phone', p, key)} = o.id"),
            "attributes": self.attributes("o.id"),
        }
        if owner == "service":
            for name, table in (
                ("schedules", "schedule"),
                ("service_areas", "service_area"),
                ("required_documents", "required_document"),
            ):
                parts[name] = self.rows(table, self.under_service(table), {})
            parts["languages"] = self.rows(
                "language",
                lambda a: (
                    f"{self.column('language', a, 'service_id')} = o.id"
                    f" AND {self.column('language', a, 'phone_id')} IS NULL"
                ),
                {},
            )
            parts["service_at_locations"] = self.rows(
                "service_at_location",
                lambda a: f"{self.column('service_at_location', a, 'service_id')} = o.id",
                {"location": self.location},
            )
        keys = ", ".join(f"'{name}', {sql}" for name, sql in parts.items())
        return (
            f"SELECT jsonb_strip_nulls(to_jsonb(o)) || jsonb_build_object({keys}) AS record FROM {_name(owner)} o"
            " WHERE o.line > $1 ORDER BY o.line LIMIT $2"
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
    statement = _Assembly(staged).document(owner)
    last = 0
    while True:
        rows = await conn.fetch(statement, last, CHUNK)
        if not rows:
            return
        last = rows[-1]["record"]["line"]
        yield [(row["record"], checked(row["record"], owner, staged.files)) for row in rows]
