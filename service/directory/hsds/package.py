"""The HSDS 3.0 tabular data package: nested HSDS records ⇄ one CSV table per entity + datapackage.json.

Writing walks each record and puts it and every record nested in it into its table, once per id.
Reading is the reverse: ``staging`` nests the rows back under their service or organization
by the ``*_id`` columns, in file order (which is how a listing's contacts, places and schedules
keep theirs), each row's cells held to their HSDS types by ``typed_cells``.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import msgspec

from service import export_files

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
    "cost_options": "cost_option",
    "funding": "funding",
    "programs": "program",
    "organization_identifiers": "organization_identifier",
    "capacities": "service_capacity",
}
SINGLE = {"location": "location", "taxonomy_term": "taxonomy_term", "organization": "organization", "unit": "unit"}
# Tables with rows Kết Nối has no place for: reported as not imported, never dropped silently.
UNMODELLED = ("metadata", "meta_table_description")


def _field(name: str, kind: str, description: str, *, required: bool = False, form: str = "") -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": name,
        "type": kind,
        "description": description,
        "constraints": {"required": required, "unique": name == "id"},
    }
    if form:
        field["format"] = form
    return field


# HSDS 3.1's tables for beds free (schema/service_capacity.json and schema/unit.json of
# openreferral/specification, branch 3.1-dev), which HSDS 3.0's descriptor does not have.
HSDS_3_1_RESOURCES = [
    {
        "name": "service_capacity",
        "path": "service_capacity.csv",
        "description": "HSDS 3.1: how many units (beds) of a service are available, and at most.",
        "format": "csv",
        "mediatype": "text/csv",
        "profile": "tabular-data-resource",
        "schema": {
            "primaryKey": "id",
            "fields": [
                _field("id", "string", "The identifier of the service capacity.", required=True, form="uuid"),
                _field("service_id", "string", "The service this capacity is of.", required=True, form="uuid"),
                _field("unit_id", "string", "The unit the capacity is counted in.", required=True, form="uuid"),
                _field("available", "number", "Units available as of the last update.", required=True),
                _field("maximum", "number", "The most units there can be."),
                _field("description", "string", "What the capacity is."),
                _field("updated", "datetime", "When the capacity was last updated.", required=True),
            ],
            "foreignKeys": [
                {"fields": "service_id", "reference": {"resource": "service", "fields": "id"}},
                {"fields": "unit_id", "reference": {"resource": "unit", "fields": "id"}},
            ],
        },
    },
    {
        "name": "unit",
        "path": "units.csv",
        "description": "HSDS 3.1: the units capacities are counted in (a bed).",
        "format": "csv",
        "mediatype": "text/csv",
        "profile": "tabular-data-resource",
        "schema": {
            "primaryKey": "id",
            "fields": [
                _field("id", "string", "The identifier of the unit.", required=True, form="uuid"),
                _field("name", "string", "The unit's name, e.g. Bed.", required=True),
                _field("scheme", "string", "The scheme the unit comes from."),
                _field("identifier", "string", "The unit's identifier in its scheme."),
                _field("uri", "string", "Where the unit is defined.", form="uri"),
            ],
        },
    },
]
END_OF_DAY = "23:59:59"  # HSDS times have no 24:00


def where(files: dict[str, str], table: str, row: dict[str, Any]) -> str:
    """``file:line`` of a staged row (its ``line`` counts data rows from 0, after the header)."""
    return f"{files.get(table, table)}:{int(row.get('line') or 0) + 1}"


class PackageError(Exception):
    """The folder is not a data package we can read at all (no services table, unreadable file)."""


class Rejection(msgspec.Struct, frozen=True):
    what: str
    reasons: list[str]


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
    ours["title"] = "Kết Nối service directory (HSDS 3.0, with 3.1's service capacity)"
    for resource in ours["resources"]:
        for field in resource["schema"]["fields"]:
            if (resource["name"], field["name"]) in RELAXED:
                field["constraints"]["required"] = False
    ours["resources"] += copy.deepcopy(HSDS_3_1_RESOURCES)
    return ours


def _fields() -> dict[str, list[dict[str, Any]]]:
    return {r["name"]: r["schema"]["fields"] for r in descriptor()["resources"]}


def _cell(field: dict[str, Any], value: Any) -> str | int | float:
    """A cell as written: text as text (``CsvWriter`` neutralises it), numbers as numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if field["type"] == "time":
        text = str(value)
        return END_OF_DAY if text.startswith("24:00") else text if len(text) > 5 else f"{text}:00"
    if isinstance(value, int | float):
        return value
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
        export_files.private_folder(folder)
        names = []
        for resource in descriptor()["resources"]:
            fields = resource["schema"]["fields"]
            with export_files.open_private(folder / resource["path"]) as out:
                writer = export_files.CsvWriter(out)
                writer.writerow([field["name"] for field in fields])
                writer.writerows(
                    [_cell(field, row[field["name"]]) for field in fields]
                    for row in self.rows[resource["name"]].values()
                )
            names.append(resource["path"])
        with export_files.open_private(folder / "datapackage.json") as out:
            out.write(json.dumps(descriptor(), ensure_ascii=False, indent=2))
        return [*names, "datapackage.json"]


@cache
def fields_by_table() -> dict[str, dict[str, dict[str, Any]]]:
    """Each HSDS table's fields by name."""
    return {table: {field["name"]: field for field in fields} for table, fields in _fields().items()}


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _uuid_text(text: str) -> str:
    # the usual lower-case form is checked by a regex, which is several times faster than UUID()
    return text if _CANONICAL_UUID.fullmatch(text) else str(uuid.UUID(text))


class Values(Protocol):
    """A staged row's values by position (an ``asyncpg.Record`` is one)."""

    def __getitem__(self, index: int, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


def typed_cells(
    columns: tuple[str, ...], values: Values, table: str, file: str
) -> tuple[dict[str, Any], list[str], list[str]]:
    """One staged row of ``table`` (its ``columns`` and ``values``, ``line`` among them) as its
    non-blank cells held to their HSDS types: numbers become ``float``, UUIDs their canonical
    text, blank ones ``None``, text cells an export neutralised against spreadsheet formulas what
    they were. A cell that is not its type (or out of ``BOUNDS``) is a problem when HSDS requires
    the field (the record cannot be imported) and otherwise a warning, its value left out; both
    read ``file:line column: reason``. Returns the cells, the problems and the warnings."""
    cells: dict[str, Any] = {
        key: export_files.restored(value) if isinstance(value, str) and value.startswith("'") else value
        for key, value in zip(columns, values, strict=True)
        if value is not None
    }
    problems: list[str] = []
    warnings: list[str] = []
    for index, key, parse, kind, required in _typed_columns(table, columns):
        value = values[index]
        if not isinstance(value, str):
            continue
        text = value.strip()
        if not text:
            cells[key] = None
            continue
        try:
            cells[key] = parse(text)
        except ValueError:
            where = f"{file}:{cells['line'] + 1} {key}: {text!r} is not a valid {kind}"
            if required:
                problems.append(where)
            else:
                cells[key] = None
                warnings.append(f"{where}; left out")
    return cells, problems, warnings


# Numbers HSDS types only as numbers but which have a range: out of it they cannot be stored.
BOUNDS = {("location", "latitude"): (-90.0, 90.0), ("location", "longitude"): (-180.0, 180.0)}


def _bounded(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        number = float(text)
        if not low <= number <= high:
            raise ValueError(text)
        return number

    return parse


@cache
def _typed_columns(
    table: str, columns: tuple[str, ...]
) -> tuple[tuple[int, str, Callable[[str], Any], str, bool], ...]:
    """Where among ``columns`` the cells to check are: position, name, parser, type name and
    whether HSDS requires the field."""
    typed = dict(_typed(table))
    found = []
    for index, column in enumerate(columns):
        if column not in typed:
            continue
        field = typed[column]
        parse: Callable[[str], Any] = float if field["type"] == "number" else _uuid_text
        kind = field.get("format") or "number"
        if (table, column) in BOUNDS:
            low, high = BOUNDS[table, column]
            parse, kind = _bounded(low, high), f"{column} (from {low:g} to {high:g})"
        found.append((index, column, parse, kind, bool(field.get("constraints", {}).get("required"))))
    return tuple(found)


@cache
def _typed(table: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The fields of ``table`` whose text must be checked: numbers and UUIDs (the rest is free text)."""
    return tuple(
        (name, field)
        for name, field in fields_by_table()[table].items()
        if field["type"] == "number" or field.get("format") == "uuid"
    )
