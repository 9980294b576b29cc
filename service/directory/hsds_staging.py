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
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
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


Row = dict[str, Any]
Groups = dict[str, list[Row]]


class _Rows:
    """Staged rows fetched a table at a time by the keys they hang on (an index scan each) and
    grouped in Python: a dict per row with its ``line``, blank cells left out."""

    def __init__(self, conn: Connection, staged: Staged) -> None:
        self.conn = conn
        self.staged = staged

    async def after(self, table: str, line: int) -> list[Row]:
        """Up to ``CHUNK`` rows of ``table`` after ``line``, in file order."""
        rows = await self.conn.fetch(
            f"SELECT {self._selected(table)} WHERE line > $1 ORDER BY line LIMIT $2", line, CHUNK
        )
        return [_cells(row) for row in rows]

    async def under(self, table: str, column: str, keys: Iterable[str | None], *, unlinked: str = "") -> Groups:
        """``table``'s rows whose ``column`` is one of ``keys`` (and, if it has the column
        ``unlinked``, whose ``unlinked`` is blank), grouped by that key, in file order."""
        wanted = list(dict.fromkeys(key for key in keys if key is not None))
        if table not in self.staged.files or not wanted or not self.staged.has(table, column):
            return {}
        blank = f' AND "{unlinked}" IS NULL' if unlinked and self.staged.has(table, unlinked) else ""
        rows = await self.conn.fetch(
            f'SELECT {self._selected(table)} WHERE "{column}" = ANY($1::text[]){blank} ORDER BY line', wanted
        )
        grouped: Groups = defaultdict(list)
        for row in rows:
            grouped[row[column]].append(_cells(row))
        return grouped

    def _selected(self, table: str) -> str:
        columns = ", ".join(f'"{column}"' for column in ("line", *self.staged.columns[table]))
        return f"{columns} FROM {_name(table)}"


def _cells(row: asyncpg.Record) -> Row:
    return {key: value for key, value in row.items() if value is not None}


def _ids(groups: Groups) -> list[str]:
    return [row["id"] for rows in groups.values() for row in rows if "id" in row]


@dataclass
class _Parts:
    """Every staged row that hangs under one chunk of records, grouped by what it hangs on."""

    contacts: Groups
    phones: Groups
    contact_phones: Groups
    phone_languages: Groups
    attributes: Groups
    terms: Groups
    places: Groups = field(default_factory=dict)
    locations: Groups = field(default_factory=dict)
    addresses: Groups = field(default_factory=dict)
    accessibility: Groups = field(default_factory=dict)
    schedules: Groups = field(default_factory=dict)
    areas: Groups = field(default_factory=dict)
    documents: Groups = field(default_factory=dict)
    languages: Groups = field(default_factory=dict)

    @classmethod
    async def fetch(cls, rows: _Rows, owner: str, ids: list[str]) -> _Parts:
        contacts = await rows.under("contact", f"{owner}_id", ids)
        phones = await rows.under("phone", f"{owner}_id", ids)
        contact_phones = await rows.under("phone", "contact_id", _ids(contacts))
        phone_ids = _ids(phones) + _ids(contact_phones)
        places: Groups = {}
        locations: Groups = {}
        if owner == "service":
            places = await rows.under("service_at_location", "service_id", ids)
            locations = await rows.under("location", "id", (p.get("location_id") for g in places.values() for p in g))
        linked = [*ids, *_ids(contacts), *phone_ids, *_ids(locations)]
        attributes = await rows.under("attribute", "link_id", linked)
        parts = cls(
            contacts=contacts,
            phones=phones,
            contact_phones=contact_phones,
            phone_languages=await rows.under("language", "phone_id", phone_ids),
            attributes=attributes,
            terms=await rows.under(
                "taxonomy_term", "id", (a.get("taxonomy_term_id") for g in attributes.values() for a in g)
            ),
        )
        if owner == "service":
            parts.places, parts.locations = places, locations
            parts.addresses = await rows.under("address", "location_id", _ids(locations))
            parts.accessibility = await rows.under("accessibility", "location_id", _ids(locations))
            parts.schedules = await rows.under("schedule", "service_id", ids)
            parts.areas = await rows.under("service_area", "service_id", ids)
            parts.documents = await rows.under("required_document", "service_id", ids)
            parts.languages = await rows.under("language", "service_id", ids, unlinked="phone_id")
        return parts

    # Every nested row is a fresh dict where it appears (a phone under its contact and under its
    # service is two): checking rewrites cells in place and reports each appearance.

    def record(self, head: Row, owner: str) -> Row:
        """``head`` with everything under it, in the shape ``checked`` and ``hsds_parse`` read."""
        owner_id = head["id"]
        record = {
            **head,
            "contacts": [self._contact(c) for c in self.contacts.get(owner_id, ())],
            "phones": [self._phone(p) for p in self.phones.get(owner_id, ())],
            "attributes": self._attributes(owner_id),
        }
        if owner == "service":
            record |= {
                "schedules": _copies(self.schedules.get(owner_id)),
                "service_areas": _copies(self.areas.get(owner_id)),
                "required_documents": _copies(self.documents.get(owner_id)),
                "languages": _copies(self.languages.get(owner_id)),
                "service_at_locations": [
                    {**place, "location": self._location(place.get("location_id"))}
                    for place in self.places.get(owner_id, ())
                ],
            }
        return record

    def _attributes(self, row_id: str) -> list[Row]:
        return [
            {**attribute, "taxonomy_term": _first(self.terms.get(attribute.get("taxonomy_term_id", "")))}
            for attribute in self.attributes.get(row_id, ())
        ]

    def _phone(self, row: Row) -> Row:
        phone_id = row["id"]
        return {
            **row,
            "languages": _copies(self.phone_languages.get(phone_id)),
            "attributes": self._attributes(phone_id),
        }

    def _contact(self, row: Row) -> Row:
        contact_id = row["id"]
        return {
            **row,
            "phones": [self._phone(p) for p in self.contact_phones.get(contact_id, ())],
            "attributes": self._attributes(contact_id),
        }

    def _location(self, location_id: str | None) -> Row | None:
        found = _first(self.locations.get(location_id or ""))
        if found is None:
            return None
        return {
            **found,
            "addresses": _copies(self.addresses.get(found["id"])),
            "accessibility": _copies(self.accessibility.get(found["id"])),
            "attributes": self._attributes(found["id"]),
        }


async def _records(rows: _Rows, owner: str, line: int) -> list[Row]:
    """The next chunk of ``owner`` records after ``line``, each nested with every row under it."""
    heads = await rows.after(owner, line)
    parts = await _Parts.fetch(rows, owner, [head["id"] for head in heads])
    return [parts.record(head, owner) for head in heads]


def _first(rows: list[Row] | None) -> Row | None:
    return dict(rows[0]) if rows else None


def _copies(rows: list[Row] | None) -> list[Row]:
    return [dict(row) for row in rows or ()]


async def count(conn: Connection, staged: Staged, table: str) -> int:
    if table not in staged.files:
        return 0
    return int(await conn.fetchval(f"SELECT count(*) FROM {_name(table)}"))


async def chunks(conn: Connection, staged: Staged, owner: str) -> AsyncIterator[list[tuple[dict[str, Any], list[str]]]]:
    """``owner`` records (``service`` or ``organization``) in file order, ``CHUNK`` at a time, each
    fully nested and checked against the HSDS types (with the problems of every row in it)."""
    if owner not in staged.files:
        return
    rows = _Rows(conn, staged)
    line = 0
    while records := await _records(rows, owner, line):
        line = records[-1]["line"]
        yield [(record, checked(record, owner, staged.files)) for record in records]
