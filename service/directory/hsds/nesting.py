"""Staged HSDS rows nested into records: each row typed once, grouped by what it hangs on, and
gathered under its service or organization with the problems of every row. Pure Python, so it can
run in a thread while the connection does something else."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

import asyncpg

from service.directory.hsds.package import typed_cells

Row = dict[str, Any]


class Under(NamedTuple):
    """Rows of ``table`` fetched because their ``column`` names something in the chunk."""

    table: str
    column: str
    rows: list[asyncpg.Record]

    def ids(self, column: str = "id") -> list[str]:
        return [str(value) for row in self.rows if (value := row.get(column)) is not None]


class Notes(NamedTuple):
    """What is wrong with the rows of one record: ``problems`` keep it out, ``warnings`` (a value
    left out) do not."""

    problems: list[str]
    warnings: list[str]

    def add(self, row: _Typed) -> None:
        if row.problems:  # rarely: most rows have nothing to say, and this runs for every row
            self.problems.extend(row.problems)
        if row.warnings:
            self.warnings.extend(row.warnings)


def nest(
    owner: str, files: dict[str, str], heads: list[asyncpg.Record], under: dict[str, Under]
) -> list[tuple[Row, Notes]]:
    """Each ``owner`` record in ``heads`` fully nested, its cells held to their HSDS types, with the
    problems and warnings of every row in it; ``under`` holds the rows of every table under them."""
    parts = _Parts({name: _grouped(rows, files[rows.table]) for name, rows in under.items() if rows.rows})
    return [parts.record(head, owner) for head in _typed(heads, owner, files[owner])]


class _Typed(NamedTuple):
    """A staged row: as staged (what the rows under it are found by), typed, its problems and
    warnings."""

    staged: asyncpg.Record
    cells: Row
    problems: list[str]
    warnings: list[str]


def _typed(rows: list[asyncpg.Record], table: str, file: str) -> list[_Typed]:
    """Each row typed once (its cells held to their HSDS types, with its problems)."""
    if not rows:
        return []
    columns = tuple(rows[0].keys())
    return [_Typed(row, *typed_cells(columns, row, table, file)) for row in rows]


def _grouped(under: Under, file: str) -> dict[str, list[_Typed]]:
    """Each row typed once, grouped by the staged value of ``under.column``, in file order."""
    grouped: dict[str, list[_Typed]] = defaultdict(list)
    for row in _typed(under.rows, under.table, file):
        grouped[row.staged[under.column]].append(row)
    return grouped


class _Parts:
    """Every staged row that hangs under one chunk of records, grouped by what it hangs on.

    A record collects the problems of each row where the row appears in it (a phone under its
    contact and under its service is there twice), in the order of the record's keys."""

    def __init__(self, groups: dict[str, dict[str, list[_Typed]]]) -> None:
        self.groups = groups

    def _under(self, name: str, key: str | None) -> list[_Typed]:
        return self.groups.get(name, {}).get(key or "", [])

    def record(self, head: _Typed, owner: str) -> tuple[Row, Notes]:
        """``head`` with everything under it, in the shape ``parse`` reads, and its notes."""
        problems = Notes(list(head.problems), list(head.warnings))
        owner_id = head.staged["id"]
        record = {
            **head.cells,
            "contacts": [self._contact(c, problems) for c in self._under("contacts", owner_id)],
            "phones": [self._phone(p, problems) for p in self._under("phones", owner_id)],
            "attributes": self._attributes(owner_id, problems),
        }
        if owner == "service":
            record |= {
                "schedules": _leaves(self._under("schedules", owner_id), problems),
                "service_areas": _leaves(self._under("areas", owner_id), problems),
                "required_documents": _leaves(self._under("documents", owner_id), problems),
                "languages": _leaves(self._under("languages", owner_id), problems),
                "service_at_locations": [
                    {**place.cells, "location": self._location(place, problems)}
                    for place in _noted(self._under("places", owner_id), problems)
                ],
                "cost_options": _leaves(self._under("cost_options", owner_id), problems),
                "funding": _leaves(self._under("funding", owner_id), problems),
                "capacities": [
                    self._capacity(c, problems) for c in _noted(self._under("capacities", owner_id), problems)
                ],
            }
        else:
            record |= {
                "programs": _leaves(self._under("programs", owner_id), problems),
                "funding": _leaves(self._under("funding", owner_id), problems),
                "organization_identifiers": _leaves(self._under("identifiers", owner_id), problems),
            }
        return record, Notes(list(dict.fromkeys(problems.problems)), list(dict.fromkeys(problems.warnings)))

    def _attributes(self, row_id: str, problems: Notes) -> list[Row]:
        attributes = []
        for attribute in _noted(self._under("attributes", row_id), problems):
            terms = _leaves(self._under("terms", attribute.staged.get("taxonomy_term_id"))[:1], problems)
            attributes.append({**attribute.cells, "taxonomy_term": terms[0] if terms else None})
        return attributes

    def _phone(self, phone: _Typed, problems: Notes) -> Row:
        problems.add(phone)
        phone_id = phone.staged["id"]
        return {
            **phone.cells,
            "languages": _leaves(self._under("phone_languages", phone_id), problems),
            "attributes": self._attributes(phone_id, problems),
        }

    def _contact(self, contact: _Typed, problems: Notes) -> Row:
        problems.add(contact)
        contact_id = contact.staged["id"]
        return {
            **contact.cells,
            "phones": [self._phone(p, problems) for p in self._under("contact_phones", contact_id)],
            "attributes": self._attributes(contact_id, problems),
        }

    def _capacity(self, capacity: _Typed, problems: Notes) -> Row:
        units = _leaves(self._under("units", capacity.staged.get("unit_id"))[:1], problems)
        return {**capacity.cells, "unit": units[0] if units else None}

    def _location(self, place: _Typed, problems: Notes) -> Row | None:
        found = self._under("locations", place.staged.get("location_id"))
        if not found:
            return None
        location = found[0]
        problems.add(location)
        location_id = location.staged["id"]
        return {
            **location.cells,
            "addresses": _leaves(self._under("addresses", location_id), problems),
            "accessibility": _leaves(self._under("accessibility", location_id), problems),
            "attributes": self._attributes(location_id, problems),
        }


def _noted(rows: list[_Typed], problems: Notes) -> list[_Typed]:
    """``rows``, their problems and warnings added to ``problems``."""
    for row in rows:
        problems.add(row)
    return rows


def _leaves(rows: list[_Typed], problems: Notes) -> list[Row]:
    """Rows with nothing under them: their cells (shared where they appear twice: nothing writes to
    them after typing), their problems added to ``problems``."""
    return [row.cells for row in _noted(rows, problems)]
