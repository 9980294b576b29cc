"""The HSDS 3.0 tabular data package: nested HSDS records ⇄ one CSV table per entity + datapackage.json.

Writing walks each record and puts it and every record nested in it into its table, once per id.
Reading (rows staged by ``hsds_staging``) does the reverse: ``nest`` links the rows back under their
service or organization by the ``*_id`` columns, keeping the file order (which is how a listing's
contacts, places and schedules keep theirs) and each row's problems (``file:line column: reason``).
"""

from __future__ import annotations

import copy
import csv
import json
import re
import uuid
from collections import defaultdict
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec

# Required by HSDS but unknown to Kết Nối (Viet Nam's postal codes are not kept, communes and
# organization descriptions may be blank): the one way our descriptor differs from HSDS 3.0's.
RELAXED = frozenset({("address", "postal_code"), ("address", "city"), ("organization", "description")})
# Nested arrays of a record and the table their items go to.
NESTED = {
    "phones": "phone",
    "contacts": "contact",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "languages": "language",
    "required_documents": "required_document",
    "attributes": "attribute",
    "addresses": "address",
    "accessibility": "accessibility",
    "locations": "location",
}
SINGLE = {"location": "location", "taxonomy_term": "taxonomy_term", "organization": "organization"}
# Tables with rows Kết Nối has no place for: reported as not imported, never dropped silently.
UNMODELLED = ("program", "funding", "cost_option", "metadata", "meta_table_description", "organization_identifier")
END_OF_DAY = "23:59:59"  # HSDS times have no 24:00


class PackageError(Exception):
    """The folder is not a data package we can read at all (no services table, unreadable file)."""


class Rejection(msgspec.Struct, frozen=True):
    what: str
    reasons: list[str]


class Row(msgspec.Struct):
    values: dict[str, Any]
    file: str
    line: int  # the row's line in its file (header = 1)
    problems: list[str]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@cache
def official_descriptor() -> dict[str, Any]:
    """HSDS 3.0's ``datapackage.json`` (CC BY-SA 4.0, Open Referral), shipped with the service."""
    raw = (resources.files("service") / "data" / "hsds_datapackage.json").read_bytes()
    descriptor: dict[str, Any] = json.loads(raw)
    return descriptor


def descriptor() -> dict[str, Any]:
    """The descriptor we write: HSDS 3.0's, with the ``RELAXED`` fields no longer required."""
    ours = copy.deepcopy(official_descriptor())
    ours["name"] = "ketnoi_directory"
    ours["title"] = "Kết Nối service directory (HSDS 3.0)"
    for resource in ours["resources"]:
        for field in resource["schema"]["fields"]:
            if (resource["name"], field["name"]) in RELAXED:
                field["constraints"]["required"] = False
    return ours


def _fields() -> dict[str, list[dict[str, Any]]]:
    return {r["name"]: r["schema"]["fields"] for r in official_descriptor()["resources"]}


def _cell(field: dict[str, Any], value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if field["type"] == "time":
        text = str(value)
        return END_OF_DAY if text.startswith("24:00") else text if len(text) > 5 else f"{text}:00"
    return str(value)


class Tables:
    """Rows of every table, one per id, in the order records were added."""

    def __init__(self) -> None:
        self.fields = _fields()
        self.rows: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in self.fields}

    def add(self, table: str, record: dict[str, Any]) -> None:
        rows = self.rows[table]
        if record["id"] not in rows:
            rows[record["id"]] = {field["name"]: record.get(field["name"]) for field in self.fields[table]}
        for key, value in record.items():
            if key in NESTED and isinstance(value, list):
                for child in value:
                    self.add(NESTED[key], child)
            elif key in SINGLE and isinstance(value, dict) and "id" in value:
                self.add(SINGLE[key], value)

    def write(self, folder: Path) -> list[str]:
        """Every table of the package (empty ones as a header) and its descriptor; the file names."""
        folder.mkdir(parents=True, exist_ok=True)
        names = []
        for resource in descriptor()["resources"]:
            fields = resource["schema"]["fields"]
            with (folder / resource["path"]).open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow([field["name"] for field in fields])
                writer.writerows(
                    [_cell(field, row[field["name"]]) for field in fields]
                    for row in self.rows[resource["name"]].values()
                )
            names.append(resource["path"])
        (folder / "datapackage.json").write_text(json.dumps(descriptor(), ensure_ascii=False, indent=2), "utf-8")
        return [*names, "datapackage.json"]


@cache
def fields_by_table() -> dict[str, dict[str, dict[str, Any]]]:
    """Each HSDS table's fields by name."""
    return {table: {field["name"]: field for field in fields} for table, fields in _fields().items()}


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_cell(field: dict[str, Any], text: str) -> Any:
    """A non-blank CSV cell as its HSDS type; ``ValueError`` when it is not one."""
    if field["type"] == "number":
        return float(text)
    if field.get("format") == "uuid":
        # the usual lower-case form is checked by a regex, which is several times faster than UUID()
        return text if _CANONICAL_UUID.fullmatch(text) else str(uuid.UUID(text))
    return text


class _Linker:
    """Indexes of child rows by the id they point at."""

    def __init__(self, tables: dict[str, list[Row]]) -> None:
        self.by_id = {table: {row.values["id"]: row for row in rows} for table, rows in tables.items()}
        self.children: dict[tuple[str, str], dict[str, list[Row]]] = {}

    def under(self, table: str, column: str, parent_id: str) -> list[Row]:
        key = (table, column)
        if key not in self.children:
            grouped: dict[str, list[Row]] = defaultdict(list)
            for row in self.by_id.get(table, {}).values():
                link = row.values.get(column)
                if link is not None:
                    grouped[link].append(row)
            self.children[key] = grouped
        return self.children[key].get(parent_id, [])

    def take(self, row: Row, problems: list[str]) -> dict[str, Any]:
        problems += row.problems
        return dict(row.values)

    def attributes(self, owner_id: str, problems: list[str]) -> list[dict[str, Any]]:
        found = []
        for row in self.under("attribute", "link_id", owner_id):
            attribute = self.take(row, problems)
            term = self.by_id.get("taxonomy_term", {}).get(attribute.get("taxonomy_term_id") or "")
            if term is not None:
                attribute["taxonomy_term"] = self.take(term, problems)
            found.append(attribute)
        return found

    def phone(self, row: Row, problems: list[str]) -> dict[str, Any]:
        phone = self.take(row, problems)
        phone["languages"] = [self.take(r, problems) for r in self.under("language", "phone_id", phone["id"])]
        phone["attributes"] = self.attributes(phone["id"], problems)
        return phone

    def contacts(self, column: str, owner_id: str, problems: list[str]) -> list[dict[str, Any]]:
        found = []
        for row in self.under("contact", column, owner_id):
            contact = self.take(row, problems)
            contact["phones"] = [self.phone(r, problems) for r in self.under("phone", "contact_id", contact["id"])]
            contact["attributes"] = self.attributes(contact["id"], problems)
            found.append(contact)
        return found

    def location(self, location_id: str, problems: list[str]) -> dict[str, Any] | None:
        row = self.by_id.get("location", {}).get(location_id)
        if row is None:
            return None
        location = self.take(row, problems)
        for key, table in (("addresses", "address"), ("accessibility", "accessibility")):
            location[key] = [self.take(r, problems) for r in self.under(table, "location_id", location_id)]
        location["attributes"] = self.attributes(location_id, problems)
        return location

    def organization(self, row: Row) -> tuple[dict[str, Any], list[str]]:
        problems: list[str] = []
        record = self.take(row, problems)
        record["contacts"] = self.contacts("organization_id", record["id"], problems)
        held = {contact["id"] for contact in record["contacts"]}
        record["phones"] = [
            self.phone(r, problems)
            for r in self.under("phone", "organization_id", record["id"])
            if r.values.get("contact_id") not in held and r.values.get("service_id") is None
        ]
        record["attributes"] = self.attributes(record["id"], problems)
        return record, problems

    def service(self, row: Row) -> tuple[dict[str, Any], list[str]]:
        problems: list[str] = []
        record = self.take(row, problems)
        sid = record["id"]
        record["contacts"] = self.contacts("service_id", sid, problems)
        held = {contact["id"] for contact in record["contacts"]}
        record["phones"] = [
            self.phone(r, problems)
            for r in self.under("phone", "service_id", sid)
            if r.values.get("contact_id") not in held
        ]
        for key, table in (("schedules", "schedule"), ("service_areas", "service_area")):
            record[key] = [self.take(r, problems) for r in self.under(table, "service_id", sid)]
        record["required_documents"] = [
            self.take(r, problems) for r in self.under("required_document", "service_id", sid)
        ]
        record["languages"] = [
            self.take(r, problems)
            for r in self.under("language", "service_id", sid)
            if r.values.get("phone_id") is None
        ]
        places = []
        for r in self.under("service_at_location", "service_id", sid):
            sal = self.take(r, problems)
            sal["location"] = self.location(sal.get("location_id") or "", problems)
            if sal["location"] is None:
                problems.append(f"{r.where} location_id: no location {sal.get('location_id')} in this package")
            places.append(sal)
        record["service_at_locations"] = places
        record["attributes"] = self.attributes(sid, problems)
        return record, problems


def nest(tables: dict[str, list[Row]], owner: str) -> list[tuple[dict[str, Any], list[str]]]:
    """The ``owner`` rows (``service`` or ``organization``) of ``tables`` as nested HSDS records
    (see ``hsds_parse``), each with the problems of every row it was made of."""
    linker = _Linker(tables)
    build = linker.service if owner == "service" else linker.organization
    return [build(row) for row in tables.get(owner, [])]
