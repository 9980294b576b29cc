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


def nest(
    owner: str, files: dict[str, str], heads: list[asyncpg.Record], under: dict[str, Under]
) -> list[tuple[Row, list[str]]]:
    """Each ``owner`` record in ``heads`` fully nested, its cells held to their HSDS types, with the
    problems of every row in it; ``under`` holds the rows of every table under them, by name."""
    parts = _Parts({name: _grouped(rows, files[rows.table]) for name, rows in under.items() if rows.rows})
    return [parts.record(head, owner) for head in _typed(heads, owner, files[owner])]


class _Typed(NamedTuple):
    """A staged row: as staged (what the rows under it are found by), typed, and its problems."""

    staged: asyncpg.Record
    cells: Row
    problems: list[str]


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

    def record(self, head: _Typed, owner: str) -> tuple[Row, list[str]]:
        """``head`` with everything under it, in the shape ``parse`` reads, and the problems."""
        problems = list(head.problems)
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
            }
        return record, problems

    def _attributes(self, row_id: str, problems: list[str]) -> list[Row]:
        attributes = []
        for attribute in _noted(self._under("attributes", row_id), problems):
            terms = _leaves(self._under("terms", attribute.staged.get("taxonomy_term_id"))[:1], problems)
            attributes.append({**attribute.cells, "taxonomy_term": terms[0] if terms else None})
        return attributes

    def _phone(self, phone: _Typed, problems: list[str]) -> Row:
        problems += phone.problems
        phone_id = phone.staged["id"]
        return {
            **phone.cells,
            "languages": _leaves(self._under("phone_languages", phone_id), problems),
            "attributes": self._attributes(phone_id, problems),
        }

    def _contact(self, contact: _Typed, problems: list[str]) -> Row:
        problems += contact.problems
        contact_id = contact.staged["id"]
        return {
            **contact.cells,
            "phones": [self._phone(p, problems) for p in self._under("contact_phones", contact_id)],
            "attributes": self._attributes(contact_id, problems),
        }

    def _location(self, place: _Typed, problems: list[str]) -> Row | None:
        found = self._under("locations", place.staged.get("location_id"))
        if not found:
            return None
        location = found[0]
        problems += location.problems
        location_id = location.staged["id"]
        return {
            **location.cells,
            "addresses": _leaves(self._under("addresses", location_id), problems),
            "accessibility": _leaves(self._under("accessibility", location_id), problems),
            "attributes": self._attributes(location_id, problems),
        }


def _noted(rows: list[_Typed], problems: list[str]) -> list[_Typed]:
    """``rows``, their problems added to ``problems``."""
    for row in rows:
        problems += row.problems
    return rows


def _leaves(rows: list[_Typed], problems: list[str]) -> list[Row]:
    """Rows with nothing under them: their cells (shared where they appear twice: nothing writes to
    them after typing), their problems added to ``problems``."""
    return [row.cells for row in _noted(rows, problems)]
